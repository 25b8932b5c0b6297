"""A crawler for the browser sweep: every page a signed-in role can reach by GET, and the checks
each page must pass (issue 9, item 10).

It follows what a person could follow: links (``a[href]``) and GET forms (the search box, the
audit search), filled with a few sample values. It never submits a POST form, so it changes
nothing but the audit trail. URLs that differ only in their numbers (``/people/12/`` and
``/people/31/``) are one pattern; only a few of each are visited. Pages added later are found
the same way, as long as something links to them.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from playwright.sync_api import Error as PlaywrightError

# Template syntax that would mean a tag or comment was printed instead of run.
TEMPLATE_SYNTAX = ("{%", "%}", "{{", "}}", "{#", "#}")
NEVER_FOLLOW = ("/logout/", "/static/")

_LINKS = "els => els.map(e => e.href)"
_GET_FORMS = """forms => forms
    .filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'get')
    .map(f => ({
        // Attributes, not properties: an input named "action" hides form.action.
        action: new URL(f.getAttribute('action') || '', document.baseURI).href,
        fields: Array.from(f.querySelectorAll('input, select, textarea')).filter(e => e.name && !e.disabled).map(e => ({
            name: e.name,
            tag: e.tagName.toLowerCase(),
            type: (e.type || '').toLowerCase(),
            value: e.tagName === 'SELECT'
                ? (Array.from(e.options).map(o => o.value).find(v => v) || '')
                : (e.type === 'checkbox' || e.type === 'radio') ? (e.checked ? e.value : null)
                : e.value,
        })),
    }))"""
# Inputs that take a secret: by type, name, id or autocomplete hint (whatever the type says).
_SECRET_INPUTS = """els => els
    .filter(e => /pass(word|phrase)?|pwd|secret/i.test(
        [e.name, e.id, e.getAttribute('autocomplete') || ''].join(' ')) || e.type === 'password')
    .map(e => ({name: e.name || e.id, type: e.type}))"""
_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# The innermost elements that stick out past the right edge: where to look when a page overflows.
_STICKING_OUT = """() => {
    const edge = document.documentElement.clientWidth;
    const out = Array.from(document.body.querySelectorAll('*'))
        .filter(e => e.getBoundingClientRect().right > edge + 0.5);
    return out.filter(e => !out.some(o => o !== e && e.contains(o)))
        .slice(0, 3).map(e => e.outerHTML.slice(0, 120));
}"""


def open_url(visitor, url: str) -> tuple[int, bool]:
    """Go to ``url`` in the tab: (status, whether it is a page). A download (a CSV export)
    is fetched with the tab's cookies instead, so its status is still checked."""
    try:
        response = visitor.go(url)
    except PlaywrightError as error:
        if "Download is starting" not in str(error):
            raise
        return visitor.page.request.get(visitor.base_url + url).status, False
    return (response.status if response is not None else 0), True


def pattern_of(url: str) -> str:
    """``/people/12/?page=2`` and ``/people/31/?page=3`` are one pattern: numbers and query
    values do not make a new page, query names do."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "#", parts.path)
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(names) if names else "")


@dataclass
class SweepResult:
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def fail(self, url: str, width: int, what: str) -> None:
        self.problems.append(f"{url} at {width}px: {what}")


@dataclass
class Crawler:
    """One signed-in tab; ``samples`` are what GET forms are filled with, by field."""

    visitor: object  # browser.conftest.Visitor
    samples: dict[str, list[str]]
    cap: int = 40
    per_pattern: int = 3

    def _same_site(self, url: str) -> str | None:
        base = urlsplit(self.visitor.base_url)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
        if parts.path.startswith(NEVER_FOLLOW):
            return None
        return urlunsplit(("", "", parts.path, parts.query, ""))

    def _form_urls(self, form: dict) -> list[str]:
        """The form submitted as the page left it, once per sample value of its first field
        that has samples (the search box: a name, an NHS Number, a date of birth...)."""
        action = self._same_site(form["action"])
        if action is None:
            return []
        skip = {"submit", "button", "reset", "file"}
        fields = [
            (f["name"], f["value"] or "", f["type"])
            for f in form["fields"]
            if f["value"] is not None and f["type"] not in skip
        ]
        free = next((n for n, _, t in fields if n in self.samples and t != "hidden"), None)
        path = urlsplit(action).path
        values = self.samples[free] if free else [None]
        return [
            path + "?" + urlencode([(n, value if n == free else v) for n, v, _ in fields])
            for value in values
        ]

    def _discover(self) -> list[str]:
        page = self.visitor.page
        found = page.eval_on_selector_all("a[href]", _LINKS)
        for form in page.eval_on_selector_all("form", _GET_FORMS):
            found.extend(self.visitor.base_url + u for u in self._form_urls(form))
        return [u for u in (self._same_site(f) for f in found) if u]

    def crawl(self, start: str, also: tuple[str, ...] = ()) -> list[str]:
        """The URLs reachable from ``start`` (breadth first, ``cap`` in all, a few per pattern),
        and from ``also``: pages nothing links to, such as "not found" and "not for you"."""
        queue, seen, per_pattern, order = deque([start, *also]), {start, *also}, Counter(), []
        while queue and len(order) < self.cap:
            url = queue.popleft()
            pattern = pattern_of(url)
            if per_pattern[pattern] >= self.per_pattern:
                continue
            per_pattern[pattern] += 1
            status, is_page = open_url(self.visitor, url)
            order.append(url)
            if not is_page or status >= 500:
                continue
            for link in self._discover():
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
        return order


def check_page(visitor, url: str, width: int, result: SweepResult) -> None:
    """Open ``url`` in ``visitor``'s tab (already at ``width``) and record what is wrong."""
    visitor.console_errors.clear()
    status, is_page = open_url(visitor, url)
    result.visited.append(f"{width} {url}")
    if status >= 500 or status == 0:
        result.fail(url, width, f"answered {status}")
        return
    if is_page:
        check_shown(visitor, url, width, result)


def check_shown(visitor, url: str, width: int, result: SweepResult) -> None:
    """The checks on the page the tab shows now (however it got there: a link or a form)."""
    page = visitor.page
    shown = page.title() + "\n" + page.inner_text("body")
    printed = [s for s in TEMPLATE_SYNTAX if s in shown]
    if printed:
        line = next(line for line in shown.splitlines() if any(s in line for s in printed))
        result.fail(url, width, f"template syntax {printed} printed: {line[:120]!r}")
    for box in page.eval_on_selector_all("input", _SECRET_INPUTS):
        if box["type"] != "password":
            result.fail(url, width, f"password box {box['name']!r} is type={box['type']!r}")
    if width <= 768:
        overflow = page.evaluate(_OVERFLOW)
        if overflow > 0:
            culprits = page.evaluate(_STICKING_OUT)
            result.fail(url, width, f"{overflow}px too wide (sideways scrolling): {culprits}")
    violations = visitor.axe_violations()
    if violations:
        result.fail(url, width, f"axe-core: {violations}")
    if visitor.console_errors:
        result.fail(url, width, f"console errors: {visitor.console_errors}")
