"""CSV cells that a spreadsheet will show as text, never run as a formula.

Partner feeds are hostile input: a record id such as ``=HYPERLINK("http://…","Click")`` written
as is into an export becomes a live formula when a steward opens the file in a spreadsheet
(CSV injection). Every CSV the app writes passes its cells through ``as_text`` (OWASP's advice:
a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading apostrophe).
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
