"""Issue 9, finding 6: break-glass could be hidden and worn out.

500 cheap grants pushed a real one off the steward's list ("500 waiting" when 506 were open);
twenty zero-width spaces or dots passed as a reason; grants renewed without limit and were
given for people already on one's caseload. The limits here are the agreement's defaults
(``break_glass:`` in agreement.yaml): 3 words, 20 letters, 2 renewals, 5 grants a day.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from factories import add_to_caseload, make_person, make_staff, make_team
from wraparound.governance import access
from wraparound.governance.agreement import AgreementError, parse
from wraparound.governance.models import AuditEntry, BreakGlass

pytestmark = pytest.mark.django_db

REASON = "Found on the floor by a neighbour, needs his medication list now"


@pytest.fixture
def setting():
    north = make_team("North", ["WV10"])
    south = make_team("South", ["WV14 2"])
    nurse = make_staff(role="clinician", teams=[south], username="ruth")
    steward = make_staff(role="data_steward", username="priya")
    person = make_person(given_name="Arthur", family_name="Penn", postcode="WV10 6QH")
    return north, nurse, steward, person


def _grant(viewer, person, reason=REASON):
    return access.request_break_glass(viewer=viewer, person_id=person.id, reason=reason, ip=None)


def _expire_all():
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))


@pytest.mark.parametrize(
    "reason",
    [
        "\u200b" * 20,  # zero-width spaces
        "." * 20,
        "\u200b." * 20,
        "urgent " * 10,  # one word, however often
        "aa aa aa aa aa aa aa aa",  # one word again
        "a b c d e f g h i j k l m n o p",  # no word of two letters
        "1234567890 1234567890 1234567890",
        "\u202e\u2066\u2069\u200d\u200c\ufeff" * 5 + "ok go",  # format characters, two words
        "sos now pls",  # three words, too few letters
    ],
)
def test_reasons_without_words_are_refused(setting, reason):
    _, nurse, _, person = setting
    with pytest.raises(access.InvalidRequest, match="Say in words"):
        _grant(nurse, person, reason)
    assert not BreakGlass.objects.exists()


def test_a_real_reason_is_accepted_and_stored_as_read(setting):
    _, nurse, _, person = setting
    grant = _grant(nurse, person, "Found\u200b on the floor,   needs his medication list now")
    assert grant.reason == "Found on the floor, needs his medication list now"


def test_no_grant_for_a_person_already_on_ones_caseload(setting):
    north, nurse, _, person = setting
    add_to_caseload(north, person)
    caseload_nurse = make_staff(role="clinician", teams=[north], username="nia")
    with pytest.raises(access.InvalidRequest, match="already on your caseload"):
        _grant(caseload_nurse, person)
    assert not BreakGlass.objects.exists()


def test_no_second_grant_while_one_is_running(setting):
    _, nurse, _, person = setting
    _grant(nurse, person)
    with pytest.raises(access.InvalidRequest, match="already have emergency access"):
        _grant(nurse, person)
    assert BreakGlass.objects.count() == 1


def test_renewals_for_one_person_are_limited(setting):
    _, nurse, _, person = setting
    for _ in range(3):  # the first grant and two renewals
        _grant(nurse, person)
        _expire_all()
    with pytest.raises(access.InvalidRequest, match="renewed emergency access"):
        _grant(nurse, person)
    assert BreakGlass.objects.count() == 3
    refusal = AuditEntry.objects.filter(action="access_denied", person_id=person.id).latest("id")
    assert "break-glass limit" in refusal.detail["why"]


def test_an_unreviewed_grant_from_days_ago_still_counts_as_renewed(setting):
    _, nurse, _, person = setting
    for _ in range(3):
        _grant(nurse, person)
        _expire_all()
    _expire_all_three_days_ago()  # none within the last day, but none reviewed either
    with pytest.raises(access.InvalidRequest, match="renewed"):
        _grant(nurse, person)


def _expire_all_three_days_ago():
    then = timezone.now() - dt.timedelta(days=3)
    BreakGlass.objects.update(granted_at=then, expires_at=then + dt.timedelta(hours=4))


def test_reviewed_grants_from_days_ago_do_not_count(setting):
    _, nurse, steward, person = setting
    for _ in range(3):
        _grant(nurse, person)
        _expire_all()
    _expire_all_three_days_ago()
    for grant in BreakGlass.objects.all():
        access.close_break_glass_review(
            viewer=steward, grant_id=grant.id, outcome="appropriate", note="", ip=None
        )
    _grant(nurse, person)  # a new episode, days later, after the steward looked


def test_grants_per_member_of_staff_per_day_are_limited(setting):
    _, nurse, _, _ = setting
    people = [make_person(given_name=f"P{i}", postcode="WV10 6QH") for i in range(6)]
    for person in people[:5]:
        _grant(nurse, person)
    with pytest.raises(access.InvalidRequest, match="5 times in the last 24 hours"):
        _grant(nurse, people[5])
    assert BreakGlass.objects.count() == 5


def test_five_hundred_cheap_grants_do_not_hide_a_real_one(setting, client):
    """The red team's attack: one real grant, then 500 cheap ones on top of it."""
    _, nurse, steward, person = setting
    real = _grant(nurse, person)
    others = [make_staff(role="clinician", username=f"cheap{i}") for i in range(5)]
    now = timezone.now()
    BreakGlass.objects.bulk_create(
        [
            BreakGlass(
                user_id=others[i % 5].pk,
                username=others[i % 5].username,
                role="clinician",
                person_id=person.id,
                reason="x" * 20,
                granted_at=now + dt.timedelta(seconds=i + 1),
                expires_at=now + dt.timedelta(hours=4),
            )
            for i in range(505)
        ]
    )
    queue = access.break_glass_queue(viewer=steward, ip=None)
    assert queue.total == 506
    assert queue.reviews[0].grant_id == real.grant_id  # oldest first
    seen = []
    for page in range(1, 506 // 200 + 2):
        seen += [
            r.grant_id
            for r in access.break_glass_queue(
                viewer=steward, ip=None, page=page, page_size=200
            ).reviews
        ]
    assert sorted(seen) == sorted(BreakGlass.objects.values_list("id", flat=True))
    client.force_login(steward)
    html = client.get("/steward/break-glass/").content.decode()
    assert re.search(r"506 waiting for review", html)
    assert "page 1 of" in html


def _agreement_text() -> str:
    return Path(settings.WRAPAROUND_AGREEMENT).read_text()


@pytest.mark.parametrize(
    ("key", "value"),
    [("max_renewals", "-1"), ("max_grants_per_day", "0"), ("min_reason_words", "many")],
)
def test_the_agreement_limits_are_checked(key, value):
    text, replaced = re.subn(rf"(\n  {key}: )\S+", rf"\g<1>{value}", _agreement_text(), count=1)
    assert replaced == 1
    with pytest.raises(AgreementError, match=f"break_glass.{key}"):
        parse(text)
