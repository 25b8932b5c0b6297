"""What one viewer may see of one person: the agreement applied to partner and category codes.

Pure functions on codes, no database, so every rule can be read and tested in one place.

Three levels of information about a person:

- **identity** (name, age, NHS Number, address, contact): everyone with a legitimate
  relationship.
- **summary** (flags, who is involved, people who matter from partners): everyone with a
  legitimate relationship, unless the item is in a sensitive category the role may not see or
  comes from a partner or feed whose mere involvement is sensitive.
- **detail** (timeline, problems): only from partners the role's ``detail_from`` lists, and
  never in a sensitive category the role does not list.

On the doorstep summary (issue 10): allergies and flags are safety items (summary); current
medicines are detail; DNACPR, ReSPECT and advance care plans are detail that an objection does
not hide (``may_see_medicines``, ``may_see_care_decision``).

An item's categories are its own ``sensitive_category`` plus the category of its partner
(``sensitive_partners``) and of its feed (``sensitive_sources``): everything from the mental
health trust is mental health information, whatever it says.

A person who **objects to sharing** is seen through their own choice: only items from the
viewer's own kind of partner (a housing officer sees the housing record), the team's own notes,
and safety flags (allergies, risk to staff: vital interests).

**Naming**: a partner or feed is named to the viewer (in search results, provenance, the
withheld note) only when its own categories are ones the viewer may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from wraparound.governance.agreement import Agreement, RoleRules
from wraparound.sources import sensitivity
from wraparound.sources.models import Partner

GENERIC_WITHHELD = "Some other information is held about this person that your role cannot see."

# A feed whose kind of partner nobody has stated (``other``, or a code the agreement does not
# know) could be a sexual health clinic or CAMHS: it is withheld from everybody but the data
# steward until the steward classifies it (``wraparound ingest --partner`` or the steward's
# page). No role lists this pseudo-category, so every rule below fails closed on it.
UNCLASSIFIED = "unclassified"


def source_categories(agreement: Agreement, partner: str, source_name: str) -> frozenset[str]:
    """The categories a feed's mere involvement reveals: its partner's, its own, unclassified.

    The one place that says so, used by the lens (what a viewer may be told) and by the search
    index (which tokens a viewer may match on). A feed's own name counts as a service name
    (``sources/code_sets/services.csv``): a feed called ``gum_clinic`` or ``camhs`` reveals
    sexual health or mental health whatever partner it was registered under.
    """
    found = set()
    if partner not in Partner.values or partner == Partner.OTHER:
        found.add(UNCLASSIFIED)
    if partner in agreement.sensitive_partners:
        found.add(agreement.sensitive_partners[partner])
    if source_name in agreement.sensitive_sources:
        found.add(agreement.sensitive_sources[source_name])
    named = sensitivity.service_category(source_name)
    if named:
        found.add(named)
    return frozenset(found)


def withheld_count_line(count: int) -> str:
    """How much is withheld, never which category: "12 items are withheld under the ..."."""
    items = "1 item is" if count == 1 else f"{count:,} items are"
    return f"{items} withheld under the sharing agreement."


def partner_label(code: str) -> str:
    try:
        return Partner(code).label
    except ValueError:
        return Partner.OTHER.label


@dataclass(frozen=True)
class Lens:
    agreement: Agreement
    rules: RoleRules
    own_partner: str
    objection: bool = False

    # --- categories -------------------------------------------------------------------------

    def source_categories(self, partner: str, source_name: str) -> frozenset[str]:
        return source_categories(self.agreement, partner, source_name)

    def categories(self, partner: str, source_name: str, category: str) -> frozenset[str]:
        found = set(self.source_categories(partner, source_name))
        if category:
            found.add(category)
        return frozenset(found)

    def categories_allowed(self, partner: str, source_name: str, category: str) -> bool:
        return self.categories(partner, source_name, category) <= self.rules.sensitive

    def _objection_allows(self, partner: str) -> bool:
        return not self.objection or partner == self.own_partner

    # --- the three questions ----------------------------------------------------------------

    def may_name(self, partner: str, source_name: str) -> bool:
        """May the viewer be told that this partner or feed knows the person?"""
        return self.source_categories(
            partner, source_name
        ) <= self.rules.sensitive and self._objection_allows(partner)

    def may_name_source(self, partner: str, source_name: str, display_name: str) -> bool:
        """``may_name``, and the feed's display name reveals nothing the viewer may not see
        ("Brookside GUM Clinic" registered as an acute trust's feed)."""
        named = sensitivity.service_category(display_name)
        return self.may_name(partner, source_name) and (not named or named in self.rules.sensitive)

    def awaits_classification(self, partner: str, source_name: str) -> bool:
        """Is the only thing keeping this feed from the viewer that nobody has stated its kind
        of partner? A data steward is then told the feed's name, so they can classify it."""
        return self.source_categories(partner, source_name) - self.rules.sensitive == {UNCLASSIFIED}

    def may_see_summary(
        self, partner: str, source_name: str, category: str, *, safety: bool = False
    ) -> bool:
        """Flags, who is involved, people who matter: summary items from a partner."""
        if not self.categories_allowed(partner, source_name, category):
            return False
        return safety or self._objection_allows(partner)

    def may_see_detail(self, partner: str, source_name: str, category: str) -> bool:
        """Timeline entries and problems."""
        return (
            partner in self.rules.detail_from
            and self.categories_allowed(partner, source_name, category)
            and self._objection_allows(partner)
        )

    def may_see_medicines(self, partner: str, source_name: str, category: str) -> bool:
        """Current medicines (doorstep summary): clinical detail, so the detail rule applies.

        A district nurse at the door needs them and has the GP's detail; a housing officer or a
        volunteer does not, and an antidepressant stays mental health information.
        """
        return self.may_see_detail(partner, source_name, category)

    def may_see_care_decision(self, partner: str, source_name: str, category: str) -> bool:
        """DNACPR, ReSPECT, advance care plans: detail (roles with the partner's clinical
        detail), but, like safety flags, shown despite an objection to sharing: the person's
        own decision about resuscitation must reach whoever finds them (vital interests)."""
        return partner in self.rules.detail_from and self.categories_allowed(
            partner, source_name, category
        )

    def withheld_reason(self, partner: str, source_name: str, category: str) -> str | None:
        """Why a detail item is withheld, as a key for the note: None if it is shown.

        ``"objection"``; ``"partner:<code>"`` when the partner may be named;
        ``"generic"`` when saying more would reveal a sensitive category.
        """
        if self.may_see_detail(partner, source_name, category):
            return None
        if not self._objection_allows(partner):
            return "objection"
        if partner not in self.rules.detail_from:
            return f"partner:{partner}" if self.may_name(partner, source_name) else "generic"
        return "generic"

    def withheld_lines(self, reasons: set[str], person_name: str, count: int = 0) -> list[str]:
        """Plain lines for the page: more exists, how much, and whom to ask. Never which
        category: a data steward reads "12 items are withheld", not "hiv"."""
        ask = self.agreement.ask_steward
        lines = [withheld_count_line(count)] if count else []
        if "objection" in reasons:
            lines.append(
                f"{person_name or 'This person'} has objected to sharing their information "
                "between organisations, so you see only what your own organisation holds. " + ask
            )
        partners = sorted(
            partner_label(reason.split(":", 1)[1])
            for reason in reasons
            if reason.startswith("partner:")
        )
        for label in partners:
            lines.append(f"More information exists from {label} that your role cannot see. {ask}")
        if "generic" in reasons:
            lines.append(f"{GENERIC_WITHHELD} {ask}")
        return lines
