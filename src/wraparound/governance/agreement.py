"""The information sharing agreement: loaded from the steward's YAML file and checked loudly.

The agreement is a document people sign; ``agreement.yaml`` is its machine-readable twin, kept
human-readable so the data steward can edit it and an auditor can read it. This module turns
it into a frozen ``Agreement`` and refuses, with the key and line, anything it does not
understand: a misspelt partner must never quietly widen or narrow what people see.

``current()`` is cached per path and file modification time, so a steward's edit takes effect
on the next request without a restart, and a broken edit fails loudly rather than silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from wraparound.governance.roles import Role
from wraparound.sources.models import Partner, SensitiveCategory

PARTNERS = frozenset(Partner.values)
CATEGORIES = frozenset(SensitiveCategory.values)
ROLES = frozenset(Role.values)
PROVENANCE_LEVELS = ("organisations", "full")
# What makes a person "someone you work with" (see ``governance.access.relationship``):
# ``assigned``: you are named as working with them; ``team_caseload``: they were added to your
# team's caseload list (a referral); ``neighbourhood``: they live in your team's postcode areas.
RELATIONSHIPS = frozenset({"assigned", "team_caseload", "neighbourhood"})
# A role whose rules leave ``relationships`` out gets the narrowest: people named to them.
# Widening to a whole neighbourhood is a decision the agreement must write down.
DEFAULT_RELATIONSHIPS = frozenset({"assigned"})


# The parts of a personalised care and support plan (PRSB headings), as ``plan_summary`` names them.
PLAN_PARTS = (
    "about_me",  # what matters, communication, wellness, please do / don't, support, also know
    "strengths",
    "needs",
    "goals",
    "actions",
    "contingency",  # what might go wrong, what to do, whom to call, anticipatory medicines
    "agreement",  # agreed with whom and when, review date and who reviews
)


class AgreementError(ImproperlyConfigured):
    """The agreement file cannot be used; the message names the file, key and line."""


@dataclass(frozen=True)
class RoleRules:
    role: str
    description: str
    detail_from: frozenset[str]
    sensitive: frozenset[str]
    provenance: str = "organisations"
    all_people: bool = False
    relationships: frozenset[str] = DEFAULT_RELATIONSHIPS


@dataclass(frozen=True)
class SearchLimits:
    """When searching pauses for a viewer: many people listed in a short time is enumeration.

    ``people`` distinct people listed to one viewer within ``people_minutes``, or ``strangers``
    distinct people listed on a strong match with no relationship within ``strangers_minutes``;
    searching then pauses for ``pause_minutes`` and the data steward sees it. ``searches``
    within ``people_minutes`` counts searches themselves, those listing no one included:
    otherwise guessing a stranger's date of birth or NHS Number one search at a time is free.
    """

    people: int = 200
    people_minutes: int = 10
    searches: int = 120
    strangers: int = 30
    strangers_minutes: int = 60
    pause_minutes: int = 15


MEETING_OBJECTION = ("ask_person", "never")


@dataclass(frozen=True)
class MeetingRules:
    """MDT meetings: the relationship an invitation gives, and what an objection means there.

    ``hours_before`` and ``hours_after``: an attendee invited to discuss a person may open
    them in meeting mode from this long before the meeting starts until the chair finishes it,
    and never more than ``hours_after`` after the start (a meeting nobody finished does not
    stay open). ``objection``: a person who objected to sharing between organisations is never
    suggested by the software; ``ask_person`` lets a team member nominate them once the person
    agreed to this discussion (recorded with the nomination), ``never`` keeps them off every
    multi-agency case list.
    """

    hours_before: int = 2
    hours_after: int = 12
    objection: str = "ask_person"


@dataclass(frozen=True)
class Party:
    name: str
    partner: str


@dataclass(frozen=True)
class Agreement:
    path: str
    version: str
    effective_from: dt.date
    title: str
    steward_name: str
    steward_contact: str
    parties: tuple[Party, ...]
    roles: dict[str, RoleRules]
    sensitive_partners: dict[str, str] = field(default_factory=dict)
    sensitive_sources: dict[str, str] = field(default_factory=dict)
    break_glass_hours: float = 4
    break_glass_min_reason: int = 20
    break_glass_min_words: int = 3  # words of two letters or more (H3, issue 9 finding 6)
    break_glass_max_renewals: int = 2  # further grants for the same person within a day
    break_glass_max_per_day: int = 5  # grants per member of staff in any 24 hours
    search: SearchLimits = field(default_factory=SearchLimits)
    # Parts of the personalised care and support plan the agreement makes summary (seen by
    # everyone with a relationship); every other part is detail, shown only to roles whose
    # ``detail_from`` lists the kind of organisation that wrote it. Left out: all detail.
    plan_summary: frozenset[str] = frozenset()
    meetings: MeetingRules = field(default_factory=MeetingRules)

    def rules_for(self, role: str) -> RoleRules:
        """Rules of a role; a role the agreement does not list may see nothing but the summary."""
        return self.roles.get(
            role,
            RoleRules(role=role, description="", detail_from=frozenset(), sensitive=frozenset()),
        )

    @property
    def ask_steward(self) -> str:
        return f"Ask the data steward ({self.steward_name}, {self.steward_contact}) if you need it."


# --- loading -----------------------------------------------------------------------------


def _to_python(node: yaml.Node, path: str, lines: dict[str, int]):
    """Turn a composed YAML node into plain Python, remembering the line of every key path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            lines[child] = key_node.start_mark.line + 1
            if key in out:
                raise AgreementError(f"duplicate key '{child}'")
            out[key] = _to_python(value_node, child, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, f"{path}[{i}]", lines) for i, item in enumerate(node.value)]
    return yaml.SafeLoader(" ").construct_object(node, deep=True)


class _Checker:
    def __init__(self, path: str, lines: dict[str, int]):
        self.path = path
        self.lines = lines

    def fail(self, key: str, message: str) -> AgreementError:
        line = self.lines.get(key)
        where = f"{self.path}, line {line}" if line else self.path
        return AgreementError(f"Sharing agreement {where}: '{key}': {message}")

    def text(self, data: dict, key: str, parent: str = "") -> str:
        full = f"{parent}.{key}" if parent else key
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise self.fail(full if key in data else (parent or full), f"'{key}' is required")
        if not isinstance(value, str | int | float):
            raise self.fail(full, "must be text")
        return str(value).strip()

    def codes(self, data: dict, key: str, parent: str, allowed: frozenset[str], what: str):
        full = f"{parent}.{key}"
        if key not in data:
            raise self.fail(parent, f"'{key}' is required (use [] for none)")
        value = data[key] if data[key] is not None else []
        if not isinstance(value, list):
            raise self.fail(full, f"must be a list of {what}")
        for i, item in enumerate(value):
            if str(item) not in allowed:
                raise self.fail(
                    f"{full}[{i}]",
                    f"unknown {what} '{item}' (known: {', '.join(sorted(allowed))})",
                )
        return frozenset(str(v) for v in value)


def parse(text: str, path: str = "<agreement>") -> Agreement:
    """Parse and validate agreement text; raises ``AgreementError`` naming the key and line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise AgreementError(f"Sharing agreement {path}{line}: not valid YAML: {problem}") from None
    if node is None:
        raise AgreementError(f"Sharing agreement {path}: the file is empty")
    lines: dict[str, int] = {}
    data = _to_python(node, "", lines)
    check = _Checker(path, lines)
    if not isinstance(data, dict):
        raise check.fail("", "the agreement must be a mapping of keys (version, roles, ...)")

    known = {
        "version",
        "effective_from",
        "title",
        "data_steward",
        "parties",
        "sensitive_partners",
        "sensitive_sources",
        "break_glass",
        "search",
        "plan_summary",
        "meetings",
        "roles",
    }
    for key in data:
        if key not in known:
            raise check.fail(key, f"unknown key (known: {', '.join(sorted(known))})")

    version = check.text(data, "version")
    effective = data.get("effective_from")
    if isinstance(effective, str):
        try:
            effective = dt.date.fromisoformat(effective)
        except ValueError:
            raise check.fail("effective_from", "must be a date like 2025-04-01") from None
    if not isinstance(effective, dt.date):
        raise check.fail("effective_from", "'effective_from' is required (a date like 2025-04-01)")
    title = str(data.get("title") or "Information sharing agreement")

    steward = data.get("data_steward")
    if not isinstance(steward, dict):
        raise check.fail("data_steward", "'data_steward' with 'name' and 'contact' is required")
    steward_name = check.text(steward, "name", "data_steward")
    steward_contact = check.text(steward, "contact", "data_steward")

    parties = []
    for i, party in enumerate(data.get("parties") or []):
        key = f"parties[{i}]"
        if not isinstance(party, dict):
            raise check.fail(key, "each party needs 'name' and 'partner'")
        partner = check.text(party, "partner", key)
        if partner not in PARTNERS:
            raise check.fail(f"{key}.partner", f"unknown partner '{partner}'")
        parties.append(Party(name=check.text(party, "name", key), partner=partner))

    sensitive_partners = _category_map(check, data, "sensitive_partners", PARTNERS, "partner")
    sensitive_sources = _category_map(check, data, "sensitive_sources", None, "source")

    bg = data.get("break_glass") or {}
    if not isinstance(bg, dict):
        raise check.fail("break_glass", "must have 'hours' and 'min_reason_length'")
    hours = bg.get("hours", 4)
    if not isinstance(hours, int | float) or not 0 < hours <= 72:
        raise check.fail("break_glass.hours", "must be a number of hours between 0 and 72")
    min_reason = bg.get("min_reason_length", 20)
    if not isinstance(min_reason, int) or min_reason < 1:
        raise check.fail("break_glass.min_reason_length", "must be a whole number, at least 1")
    bg_limits = {}
    for bg_key, default, lowest in (
        ("min_reason_words", 3, 1),
        ("max_renewals", 2, 0),
        ("max_grants_per_day", 5, 1),
    ):
        value = bg.get(bg_key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not lowest <= value <= 100:
            raise check.fail(f"break_glass.{bg_key}", f"must be a whole number, {lowest} to 100")
        bg_limits[bg_key] = value

    search = _search_limits(check, data.get("search"))
    plan_summary = data.get("plan_summary") or []
    if not isinstance(plan_summary, list):
        raise check.fail("plan_summary", f"must be a list of plan parts: {', '.join(PLAN_PARTS)}")
    for part in plan_summary:
        if part not in PLAN_PARTS:
            raise check.fail(
                "plan_summary", f"unknown plan part '{part}' (known: {', '.join(PLAN_PARTS)})"
            )

    roles_data = data.get("roles")
    if not isinstance(roles_data, dict) or not roles_data:
        raise check.fail("roles", "'roles' is required: the rules for every role")
    roles: dict[str, RoleRules] = {}
    for role, rules in roles_data.items():
        key = f"roles.{role}"
        if role not in ROLES:
            raise check.fail(key, f"unknown role '{role}' (known: {', '.join(sorted(ROLES))})")
        if not isinstance(rules, dict):
            raise check.fail(key, "needs 'detail_from' and 'sensitive'")
        for rule_key in rules:
            if rule_key not in {
                "description",
                "detail_from",
                "sensitive",
                "provenance",
                "all_people",
                "relationships",
            }:
                raise check.fail(f"{key}.{rule_key}", "unknown key")
        provenance = str(rules.get("provenance", "organisations"))
        if provenance not in PROVENANCE_LEVELS:
            raise check.fail(f"{key}.provenance", f"must be one of {', '.join(PROVENANCE_LEVELS)}")
        all_people = rules.get("all_people", False)
        if not isinstance(all_people, bool):
            raise check.fail(f"{key}.all_people", "must be true or false")
        roles[role] = RoleRules(
            role=role,
            description=str(rules.get("description") or ""),
            detail_from=check.codes(rules, "detail_from", key, PARTNERS, "partner"),
            sensitive=check.codes(rules, "sensitive", key, CATEGORIES, "sensitive category"),
            provenance=provenance,
            all_people=all_people,
            relationships=(
                check.codes(rules, "relationships", key, RELATIONSHIPS, "relationship")
                if "relationships" in rules
                else DEFAULT_RELATIONSHIPS
            ),
        )
    missing = sorted(ROLES - set(roles))
    if missing:
        raise check.fail(
            "roles",
            f"every role must be listed (use detail_from: [] for none); missing: {', '.join(missing)}",
        )
    return Agreement(
        path=path,
        version=version,
        effective_from=effective,
        title=title,
        steward_name=steward_name,
        steward_contact=steward_contact,
        parties=tuple(parties),
        roles=roles,
        sensitive_partners=sensitive_partners,
        sensitive_sources=sensitive_sources,
        break_glass_hours=float(hours),
        break_glass_min_reason=min_reason,
        break_glass_min_words=bg_limits["min_reason_words"],
        break_glass_max_renewals=bg_limits["max_renewals"],
        break_glass_max_per_day=bg_limits["max_grants_per_day"],
        search=search,
        plan_summary=frozenset(plan_summary),
        meetings=_meeting_rules(check, data.get("meetings")),
    )


def _meeting_rules(check: _Checker, value) -> MeetingRules:
    """The ``meetings`` section (left out: the defaults of ``MeetingRules``)."""
    if value is None:
        return MeetingRules()
    if not isinstance(value, dict):
        raise check.fail("meetings", "must map hours_before, hours_after and objection")
    known = MeetingRules.__dataclass_fields__
    out = {}
    for key, item in value.items():
        if key not in known:
            raise check.fail(f"meetings.{key}", f"unknown key (known: {', '.join(sorted(known))})")
        if key == "objection":
            if item not in MEETING_OBJECTION:
                raise check.fail(
                    "meetings.objection", f"must be one of: {', '.join(MEETING_OBJECTION)}"
                )
        elif isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 48:
            raise check.fail(f"meetings.{key}", "must be a whole number of hours, 0 to 48")
        out[key] = item
    return MeetingRules(**out)


def _search_limits(check: _Checker, value) -> SearchLimits:
    """The ``search`` section: whole numbers, each at least 1 (leave a key out for the default)."""
    if value is None:
        return SearchLimits()
    if not isinstance(value, dict):
        raise check.fail("search", "must map limit names to whole numbers")
    known = SearchLimits.__dataclass_fields__
    numbers = {}
    for key, number in value.items():
        if key not in known:
            raise check.fail(f"search.{key}", f"unknown key (known: {', '.join(sorted(known))})")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise check.fail(f"search.{key}", "must be a whole number, at least 1")
        numbers[key] = number
    return SearchLimits(**numbers)


def _category_map(check: _Checker, data: dict, key: str, allowed, what: str) -> dict[str, str]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise check.fail(key, f"must map a {what} to a sensitive category")
    out = {}
    for name, category in value.items():
        if allowed is not None and name not in allowed:
            raise check.fail(f"{key}.{name}", f"unknown {what} '{name}'")
        if str(category) not in CATEGORIES:
            raise check.fail(f"{key}.{name}", f"unknown sensitive category '{category}'")
        out[str(name)] = str(category)
    return out


def load(path: str | Path) -> Agreement:
    """Read and validate an agreement file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AgreementError(f"Sharing agreement {path}: cannot read it ({exc.strerror})") from None
    return parse(text, str(path))


_cache: dict[tuple[str, int], Agreement] = {}


def current() -> Agreement:
    """The agreement in force (``settings.WRAPAROUND_AGREEMENT``), re-read when the file changes."""
    path = Path(settings.WRAPAROUND_AGREEMENT)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise AgreementError(f"Sharing agreement {path}: cannot read it ({exc.strerror})") from None
    key = (str(path), mtime)
    agreement = _cache.get(key)
    if agreement is None:
        agreement = load(path)
        _cache.clear()
        _cache[key] = agreement
    return agreement
