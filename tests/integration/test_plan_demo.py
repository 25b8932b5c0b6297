"""``make demo``'s care and support plans: the first person a new user opens has a full plan."""

import datetime as dt

import pytest

from factories import assign, make_person, make_staff, make_team
from wraparound.governance import access
from wraparound.plans import queries
from wraparound.plans.demo import load_demo_plans
from wraparound.plans.models import PlanAction, PlanDetails, PlanSection, PlanVersion

pytestmark = pytest.mark.django_db


def test_demo_plans_are_full_idempotent_and_have_something_overdue():
    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team], first_name="Nia", last_name="Okafor")
    social = make_staff(role="social_worker", teams=[team], first_name="Sam", last_name="Reid")
    people = [
        make_person(given_name=f"Person{i}", family_name="Ash", postcode="WV10 1AB")
        for i in range(6)
    ]
    ids = [p.id for p in people]
    today = dt.date(2026, 3, 3)
    assert load_demo_plans(person_ids=ids, staff=[nurse.staff, social.staff], today=today) == 6
    assert load_demo_plans(person_ids=ids, staff=[nurse.staff, social.staff], today=today) == 0

    assign(nurse, people[0])
    plan = access.open_plan(viewer=nurse, person_id=ids[0], ip=None)
    assert plan.what_matters and plan.people_who_matter
    sections = [*plan.about_me, plan.strengths, plan.needs, *plan.contingency]
    assert len(sections) == len(PlanSection.values) and all(s.text for s in sections)
    assert len(plan.goals) >= 2 and len(plan.actions) == 3
    assert {a.owner_kind for a in plan.actions} == {"staff", "person"}
    assert plan.details.review_on and plan.details.agreed_with == "Person0 Ash (the person)"
    # Every part has its first version, as if written through the plan page.
    assert PlanVersion.objects.filter(person_id=ids[0]).count() >= len(PlanSection.values) + 5

    counts = queries.action_counts(ids, today)
    assert sum(overdue for _, overdue in counts.values()) >= 1
    assert queries.reviews_due(ids, today)  # one in five reviews is overdue
    assert queries.open_actions_for_staff(social.staff.id)
    assert PlanDetails.objects.count() == 6 and PlanAction.objects.count() == 18


def test_bulk_plans_for_benchmarks_read_like_written_ones():
    from wraparound.plans.demo import bulk_plans

    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team])
    people = [make_person(given_name=f"B{i}", family_name="Ash", index=False) for i in range(7)]
    ids = [p.id for p in people]
    today = dt.date(2026, 3, 3)
    assert (
        bulk_plans(
            person_ids=ids, staff=[(nurse.staff.id, "Sam Taylor (Nurse)")], today=today, batch=3
        )
        == 7
    )
    assign(nurse, people[0])
    plan = access.open_plan(viewer=nurse, person_id=ids[0], ip=None)
    assert plan.what_matters and len(plan.goals) == 2 and len(plan.actions) == 3
    assert plan.section("please_do").text
    counts = queries.action_counts(ids, today)
    assert sum(overdue for _, overdue in counts.values()) == 3  # people 0, 3 and 6
    assert len(queries.open_actions_for_staff(nurse.staff.id)) == 14
    assert queries.reviews_due(ids, today) == {ids[4]: today - dt.timedelta(days=5)}


def test_demo_setup_gives_the_nurse_s_first_person_a_full_plan():
    from django.contrib.auth import get_user_model

    from wraparound.governance.actions import demo_setup

    for i, postcode in enumerate(("WV10 6QP", "WV10 6QH", "WV1 1AA", "WV1 1AB")):
        make_person(given_name=f"Demo{i}", family_name="Ash", postcode=postcode, index=False)
    demo_setup()
    nurse = get_user_model().objects.get(username="nurse")
    first = nurse.staff.assignments.order_by("person_id").first()
    plan = access.open_plan(viewer=nurse, person_id=first.person_id, ip=None)
    assert plan.what_matters and len(plan.goals) >= 2 and len(plan.actions) == 3
    assert all(part.text for part in plan.about_me) and plan.details.review_on
    demo_setup()  # idempotent: the plan is not written twice
    assert PlanAction.objects.filter(person_id=first.person_id).count() == 3
