"""The personalised care and support plan: written through the gate, every version kept, read
under the lens, printed, exported as FHIR and read back by our own ingest (issue 10, item 2)."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from factories import add_to_caseload, assign, make_person, make_staff, make_team
from wraparound.governance import access
from wraparound.governance.access.plan import _plan_summary
from wraparound.governance.access.viewer import _viewer
from wraparound.governance.models import AuditEntry, SharingPreference
from wraparound.plans import actions as plan_actions
from wraparound.plans import queries
from wraparound.plans.models import Goal, PlanAction, PlanSectionText, PlanVersion
from wraparound.sources.models import Event, SourceRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    team = make_team("North", ["WV10"])
    person = make_person(
        given_name="Winifred", family_name="Ash", postcode="WV10 1AB", nhs="9434765919"
    )
    nurse = make_staff(role="clinician", teams=[team], first_name="Nia", last_name="Okafor")
    colleague = make_staff(role="social_worker", teams=[team], first_name="Sam", last_name="Reid")
    return team, person, nurse, colleague


def changes(person) -> int:
    return AuditEntry.objects.filter(action="change", person_id=person.id).count()


def test_editing_a_section_keeps_every_version_and_audits_each_change(world):
    _, person, nurse, _ = world
    for text in (
        "Talk to me slowly",
        "Talk to me slowly; I lip-read",
        "Talk to me slowly; I lip-read",
    ):
        access.save_plan_section(
            viewer=nurse, person_id=person.id, section="communication", text=text, ip=None
        )
    current = PlanSectionText.objects.get(person_id=person.id, section="communication")
    assert current.text == "Talk to me slowly; I lip-read"
    # The unchanged third save adds no version and no audit row.
    assert (
        PlanVersion.objects.filter(person_id=person.id, part="section:communication").count() == 2
    )
    assert changes(person) == 2

    history = access.plan_history(
        viewer=nurse, person_id=person.id, part="section:communication", ip=None
    )
    assert [(v.lines, v.is_current) for v in history.versions] == [
        ([("", "Talk to me slowly; I lip-read")], True),
        ([("", "Talk to me slowly")], False),
    ]
    assert history.versions[0].recorded_by.startswith("Nia Okafor (Clinician")
    assert AuditEntry.objects.filter(
        action="view_person", person_id=person.id, detail__what="plan_history"
    ).exists()


def test_a_goal_edited_keeps_its_first_words_and_status(world):
    _, person, nurse, _ = world
    goal = access.save_goal(
        viewer=nurse, person_id=person.id, text="Walk to the shop", status="not_yet", ip=None
    )
    access.save_goal(
        viewer=nurse,
        person_id=person.id,
        goal_id=goal.goal_id,
        text="Walk to the shop on my own",
        status="partly",
        ip=None,
    )
    assert Goal.objects.get(id=goal.goal_id).status == "partly"
    history = access.plan_history(
        viewer=nurse, person_id=person.id, part=f"goal:{goal.goal_id}", ip=None
    )
    assert [v.lines for v in history.versions] == [
        [("Goal", "Walk to the shop on my own"), ("How far", "Partly")],
        [("Goal", "Walk to the shop"), ("How far", "Not yet")],
    ]


def test_only_people_with_a_relationship_and_a_role_that_edits_may_write(world):
    team, person, nurse, _ = world
    stranger = make_person(given_name="Olive", family_name="Birch", postcode="B1 1AA")
    with pytest.raises(access.BreakGlassRequired):
        access.save_goal(viewer=nurse, person_id=stranger.id, text="x", status="not_yet", ip=None)
    steward = make_staff(role="data_steward")
    with pytest.raises(access.NoAccess):
        access.save_plan_section(
            viewer=steward, person_id=person.id, section="wellness", text="x", ip=None
        )
    assert not PlanSectionText.objects.exists() and not Goal.objects.exists()
    assert AuditEntry.objects.filter(action="access_denied").count() == 2


def test_bad_input_is_refused_whole_and_writes_nothing(world):
    _, person, nurse, _ = world
    with pytest.raises(access.InvalidRequest, match="Choose who will do it"):
        access.save_plan_action(
            viewer=nurse,
            person_id=person.id,
            what="Fit a key safe",
            owner="staff:999999",
            due_on=None,
            status="to_do",
            ip=None,
        )
    with pytest.raises(access.InvalidRequest):
        access.save_goal(viewer=nurse, person_id=person.id, text="Go out", status="maybe", ip=None)
    with pytest.raises(access.InvalidRequest):
        access.save_plan_section(
            viewer=nurse, person_id=person.id, section="favourite_colour", text="x", ip=None
        )
    assert not PlanAction.objects.exists() and not Goal.objects.exists()
    assert not PlanVersion.objects.exists() and changes(person) == 0


def _action_for(colleague, person, nurse, **kw):
    return access.save_plan_action(
        viewer=nurse,
        person_id=person.id,
        what=kw.get("what", "Arrange a carers assessment for Jean"),
        owner=f"staff:{colleague.staff.id}",
        due_on=kw.get("due_on"),
        status=kw.get("status", "to_do"),
        ip=None,
    )


def test_an_action_owned_by_a_colleague_is_on_their_list(world):
    _, person, nurse, colleague = world
    today = timezone.localdate()
    line = _action_for(colleague, person, nurse, due_on=today - dt.timedelta(days=2))
    assert line.owner == "Sam Reid (Social worker)" and line.is_overdue
    _action_for(colleague, person, nurse, what="Phone Jean", due_on=today + dt.timedelta(days=3))
    _action_for(colleague, person, nurse, what="Done already", status="done", due_on=today)
    _action_for(colleague, person, nurse, what="Next month", due_on=today + dt.timedelta(days=30))

    mine = queries.open_actions_for_staff(colleague.staff.id)
    assert [a["what"] for a in mine] == [
        "Arrange a carers assessment for Jean",
        "Phone Jean",
        "Next month",
    ]
    assert set(mine[0]) == {
        "person_id",
        "action_id",
        "what",
        "due_on",
        "status",
        "meeting_item_id",  # agreed at an MDT, when it was (issue 12)
    }
    assert mine[0]["meeting_item_id"] is None
    assert queries.open_actions_for_staff(nurse.staff.id) == []
    # One overdue, one due within the week; the done one and next month's do not count.
    assert queries.action_counts([person.id, 424242], today) == {person.id: (1, 1)}


def test_reviews_due_by_a_date(world):
    _, person, nurse, colleague = world
    other = make_person(given_name="Jack", family_name="Ash", postcode="WV10 1AB")
    today = timezone.localdate()
    access.save_plan_details(
        viewer=nurse,
        person_id=person.id,
        review_on=today + dt.timedelta(days=10),
        reviewer=f"staff:{colleague.staff.id}",
        ip=None,
    )
    access.save_plan_details(
        viewer=nurse, person_id=other.id, review_on=today + dt.timedelta(days=60), ip=None
    )
    by = today + dt.timedelta(days=14)
    assert queries.reviews_due([person.id, other.id], by) == {
        person.id: today + dt.timedelta(days=10)
    }
    with pytest.raises(access.InvalidRequest):
        access.save_plan_details(viewer=nurse, person_id=person.id, reviewer="staff:0", ip=None)


def test_objection_shows_only_what_the_viewers_own_kind_of_organisation_wrote(world):
    team, person, nurse, colleague = world
    access.save_goal(
        viewer=nurse, person_id=person.id, text="Stay at home", status="not_yet", ip=None
    )
    access.save_plan_section(
        viewer=colleague, person_id=person.id, section="strengths", text="Knits", ip=None
    )
    SharingPreference.objects.create(person_id=person.id, objects_to_sharing=True)

    seen = access.open_plan(viewer=colleague, person_id=person.id, ip=None)
    assert seen.goals == [] and seen.strengths.text == "Knits"
    assert seen.withheld and "1 part" in seen.withheld[0]
    # Nobody overwrites words they may not read.
    goal_id = Goal.objects.get().id
    with pytest.raises(access.InvalidRequest, match="cannot change it"):
        access.save_goal(
            viewer=colleague,
            person_id=person.id,
            goal_id=goal_id,
            text="Move to a home",
            status="not_yet",
            ip=None,
        )
    assert Goal.objects.get().text == "Stay at home"
    # The nurse's own kind of organisation wrote the goal: she still sees it.
    assert [g.text for g in access.open_plan(viewer=nurse, person_id=person.id, ip=None).goals] == [
        "Stay at home"
    ]


def test_the_mental_health_trust_s_words_are_withheld_from_a_volunteer(world):
    team, person, nurse, _ = world
    mh = make_staff(role="mental_health_worker", teams=[team])
    volunteer = make_staff(role="voluntary_worker", teams=[team])
    assign(volunteer, person)
    access.save_goal(
        viewer=mh, person_id=person.id, text="Fewer bad days", status="partly", ip=None
    )
    access.save_goal(
        viewer=nurse, person_id=person.id, text="Garden again", status="not_yet", ip=None
    )
    plan = access.open_plan(viewer=volunteer, person_id=person.id, ip=None)
    assert [g.text for g in plan.goals] == ["Garden again"]
    assert plan.can_edit is True and len(plan.withheld) == 1
    summary = _plan_summary(_viewer(volunteer), person.id, _viewer(volunteer).lens())
    assert [g.text for g in summary.goals] == ["Garden again"] and summary.withheld == 1


def test_plan_summary_for_the_person_page(world):
    _, person, nurse, colleague = world
    v = _viewer(nurse)
    assert _plan_summary(v, person.id, v.lens()) is None
    today = timezone.localdate()
    access.save_goal(viewer=nurse, person_id=person.id, text="Garden", status="achieved", ip=None)
    _action_for(colleague, person, nurse, due_on=today)
    _action_for(colleague, person, nurse, what="Closed", status="not_needed")
    access.save_plan_details(
        viewer=nurse, person_id=person.id, review_on=today + dt.timedelta(days=5), ip=None
    )
    summary = _plan_summary(v, person.id, v.lens())
    assert [(g.text, g.status_label) for g in summary.goals] == [("Garden", "Achieved")]
    assert [(a.what, a.owner, a.due_on) for a in summary.open_actions] == [
        ("Arrange a carers assessment for Jean", "Sam Reid (Social worker)", today)
    ]
    assert summary.next_review == today + dt.timedelta(days=5)


def test_people_who_matter_can_be_changed_and_ended_and_keep_their_history(world):
    _, person, nurse, _ = world
    access.add_person_who_matters(
        viewer=nurse, person_id=person.id, name="Jean Ash", relationship="daughter", ip=None
    )
    entry = access.open_plan(viewer=nurse, person_id=person.id, ip=None).people_who_matter[0]
    access.update_person_who_matters(
        viewer=nurse,
        person_id=person.id,
        entry_id=entry.entry_id,
        name="Jean Ash",
        relationship="daughter",
        contact="07700 900123",
        ip=None,
    )
    access.end_person_who_matters(
        viewer=nurse, person_id=person.id, entry_id=entry.entry_id, ip=None
    )
    assert access.open_plan(viewer=nurse, person_id=person.id, ip=None).people_who_matter == []
    history = access.plan_history(
        viewer=nurse, person_id=person.id, part=entry.history_part, ip=None
    )
    assert len(history.versions) == 3
    assert ("", "No longer recorded as someone who matters") in history.versions[0].lines
    assert ("How to reach them", "07700 900123") in history.versions[1].lines
    with pytest.raises(access.InvalidRequest):
        access.end_person_who_matters(
            viewer=nurse, person_id=person.id, entry_id=entry.entry_id, ip=None
        )


def _full_plan(person, nurse, colleague):
    access.record_what_matters(
        viewer=nurse, person_id=person.id, text="Staying at home with my cat", ip=None
    )
    access.add_person_who_matters(
        viewer=nurse,
        person_id=person.id,
        name="Jean Ash",
        relationship="daughter",
        contact="07700 900123",
        ip=None,
    )
    access.save_plan_section(
        viewer=nurse, person_id=person.id, section="please_do", text="Knock loudly", ip=None
    )
    goal = access.save_goal(
        viewer=nurse, person_id=person.id, text="Garden again", status="partly", ip=None
    )
    pwm = access.open_plan(viewer=nurse, person_id=person.id, ip=None).people_who_matter[0]
    access.save_plan_action(
        viewer=nurse,
        person_id=person.id,
        what="Raised beds",
        owner=f"pwm:{pwm.entry_id}",
        due_on=dt.date(2026, 5, 1),
        status="in_progress",
        goal_id=goal.goal_id,
        ip=None,
    )
    _action_for(colleague, person, nurse, due_on=dt.date(2026, 3, 3))
    access.save_plan_details(
        viewer=nurse,
        person_id=person.id,
        agreed_with="Winifred Ash",
        agreed_on=dt.date(2026, 2, 1),
        review_on=dt.date(2026, 8, 1),
        ip=None,
    )


def test_the_fhir_export_validates_as_r4_and_names_uk_core_profiles(world):
    _, person, nurse, colleague = world
    _full_plan(person, nurse, colleague)
    bundle = access.export_plan_fhir(viewer=nurse, person_id=person.id, ip="10.0.0.1")
    Bundle.model_validate(bundle)  # raises if any resource is not valid R4 (R4B models)
    by_type = {}
    for entry in bundle["entry"]:
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    assert sorted(by_type) == ["CarePlan", "Goal", "Patient", "RelatedPerson"]
    plan = by_type["CarePlan"][0]
    assert plan["meta"]["profile"] == [
        "https://fhir.hl7.org.uk/StructureDefinition/UKCore-CarePlan"
    ]
    assert by_type["RelatedPerson"][0]["meta"]["profile"] == [
        "https://fhir.hl7.org.uk/StructureDefinition/UKCore-RelatedPerson"
    ]
    assert by_type["Patient"][0]["identifier"][0]["value"] == "9434765919"
    assert plan["description"] == "Staying at home with my cat"
    assert "Please do: Knock loudly" in [n["text"] for n in plan["note"]]
    statuses = sorted(a["detail"]["status"] for a in plan["activity"])
    assert statuses == ["in-progress", "not-started"]
    raised = next(a for a in plan["activity"] if a["detail"]["description"] == "Raised beds")
    assert raised["detail"]["performer"][0]["display"] == "Jean Ash (daughter)"
    goal_url = next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Goal"
    )
    assert raised["detail"]["goal"] == [{"reference": goal_url}]
    assert by_type["Goal"][0]["achievementStatus"]["coding"][0]["code"] == "improving"
    audit = AuditEntry.objects.get(action="export", person_id=person.id)
    assert audit.detail["what"] == "plan_fhir" and audit.ip == "10.0.0.1"


def test_the_fhir_export_round_trips_through_our_own_ingest(world, tmp_path):
    _, person, nurse, colleague = world
    _full_plan(person, nurse, colleague)
    bundle = access.export_plan_fhir(viewer=nurse, person_id=person.id, ip=None)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(bundle))
    out = StringIO()
    call_command(
        "ingest",
        "--source",
        "wraparound_plans",
        "--partner",
        "community",
        "--json",
        str(path),
        stdout=out,
        verbosity=0,
    )
    counts = json.loads(out.getvalue().strip().splitlines()[-1])
    assert counts["quarantined"] == 0 and counts["accepted"] == len(bundle["entry"])
    record = SourceRecord.objects.get(source__name="wraparound_plans")
    assert record.nhs_number == "9434765919"
    kept = Event.objects.filter(subject_record_id=record.source_record_id)
    assert sorted(kept.values_list("resource_type", flat=True)) == [
        "CarePlan",
        "Goal",
        "RelatedPerson",
    ]


def test_reads_are_audited_and_a_stranger_is_refused(world):
    _, person, nurse, _ = world
    access.open_plan(viewer=nurse, person_id=person.id, ip=None, printing=True)
    assert AuditEntry.objects.filter(
        action="view_person", person_id=person.id, detail__what="plan_print"
    ).exists()
    outsider = make_staff(role="clinician", teams=[make_team("South", ["B1"])])
    with pytest.raises(access.BreakGlassRequired):
        access.open_plan(viewer=outsider, person_id=person.id, ip=None)
    with pytest.raises(access.BreakGlassRequired):
        access.export_plan_fhir(viewer=outsider, person_id=person.id, ip=None)


def test_pages_open_forms_with_the_current_words_and_print_without_navigation(world, client):
    team, person, nurse, colleague = world
    add_to_caseload(team, person)
    _full_plan(person, nurse, colleague)
    client.force_login(nurse)
    page = client.get(reverse("record:plan", args=[person.id]))
    assert page.status_code == 200 and b"Garden again" in page.content
    # The person page's summary: goals, open actions with owner and date, the next review.
    summary = client.get(reverse("record:person", args=[person.id])).content.decode()
    summary = summary[summary.index('id="plan-summary"') :]
    assert (
        "Garden again" in summary
        and "Raised beds</span> – Jean Ash (daughter), by 1 May 2026" in summary
    )
    assert "Next review: 1 August 2026" in summary
    form = client.get(reverse("record:plan_section", args=[person.id, "please_do"]))
    assert b">Knock loudly</textarea>" in form.content
    goal_id = Goal.objects.get().id
    form = client.get(reverse("record:plan_goal", args=[person.id, goal_id]))
    assert b">Garden again</textarea>" in form.content
    action = PlanAction.objects.get(what="Raised beds")
    form = client.get(reverse("record:plan_action", args=[person.id, action.id]))
    assert b'value="1 May 2026"' in form.content
    posted = client.post(
        reverse("record:plan_goal", args=[person.id, goal_id]),
        {"text": "Garden again, with Jean", "status": "achieved"},
    )
    assert posted.status_code == 302
    history = client.get(reverse("record:plan_history", args=[person.id, f"goal:{goal_id}"]))
    assert b"Garden again, with Jean" in history.content and b"Earlier version" in history.content
    details = client.post(
        reverse("record:plan_details", args=[person.id]),
        {"review_on": "1 September 2026", "reviewer": f"staff:{colleague.staff.id}"},
    )
    assert details.status_code == 302
    form = client.get(reverse("record:plan_details", args=[person.id]))
    assert b'value="1 September 2026"' in form.content
    assert f'value="staff:{colleague.staff.id}" selected'.encode() in form.content
    printed = client.get(reverse("record:plan_print", args=[person.id]))
    assert printed.status_code == 200
    assert b"nhsuk-header" not in printed.content and b"css/plan-print.css" in printed.content
    exported = client.get(reverse("record:plan_fhir", args=[person.id]))
    assert exported["Content-Type"] == "application/fhir+json"
    Bundle.model_validate(json.loads(exported.content))
    bad = client.post(
        reverse("record:plan_action_new", args=[person.id]),
        {"what": "x", "owner": "staff:999999", "status": "to_do", "due_on": "31 February 2026"},
    )
    assert bad.status_code == 400 and b"There is a problem" in bad.content
    outsider = make_staff(role="clinician", teams=[make_team("South", ["B1"])])
    client.force_login(outsider)
    assert client.get(reverse("record:plan", args=[person.id])).status_code == 404


def test_a_merge_moves_the_plan_to_the_person_kept(world):
    team, person, nurse, colleague = world
    twin = make_person(given_name="Winnie", family_name="Ash", postcode="WV10 1AB")
    for who, text in ((person, "Kept words"), (twin, "Twin's words")):
        access.save_plan_section(
            viewer=nurse, person_id=who.id, section="wellness", text=text, ip=None
        )
    access.save_goal(viewer=nurse, person_id=twin.id, text="Garden", status="not_yet", ip=None)
    _action_for(colleague, twin, nurse)
    access.save_plan_details(
        viewer=nurse, person_id=twin.id, review_on=dt.date(2026, 9, 1), ip=None
    )

    plan_actions.move_person(from_person_id=twin.id, to_person_id=person.id)

    plan = access.open_plan(viewer=nurse, person_id=person.id, ip=None)
    assert plan.section("wellness").text == "Kept words"
    assert [g.text for g in plan.goals] == ["Garden"] and len(plan.actions) == 1
    assert plan.details.review_on == dt.date(2026, 9, 1)
    # The twin's words stay in the kept person's history.
    history = access.plan_history(
        viewer=nurse, person_id=person.id, part="section:wellness", ip=None
    )
    assert sorted(v.lines[0][1] for v in history.versions) == ["Kept words", "Twin's words"]
    assert not PlanSectionText.objects.filter(person_id=twin.id).exists()


def test_only_colleagues_who_may_open_the_record_can_be_given_an_action(world):
    team, person, nurse, colleague = world
    volunteer = make_staff(role="voluntary_worker", teams=[team], first_name="Val", last_name="Ng")
    key = f"staff:{volunteer.staff.id}"
    owners = dict(access.open_plan(viewer=nurse, person_id=person.id, ip=None, choices=True).owners)
    # The social worker works the neighbourhood; the volunteer only sees people referred to them.
    assert f"staff:{colleague.staff.id}" in owners and key not in owners
    with pytest.raises(access.InvalidRequest):
        access.save_plan_action(
            viewer=nurse,
            person_id=person.id,
            what="Visit",
            owner=key,
            due_on=None,
            status="to_do",
            ip=None,
        )
    assign(volunteer, person)
    line = access.save_plan_action(
        viewer=nurse,
        person_id=person.id,
        what="Visit",
        owner=key,
        due_on=None,
        status="to_do",
        ip=None,
    )
    assert line.owner == "Val Ng (Voluntary sector worker)"
    # Choices are worked out for the forms only, not on every view of the plan.
    assert access.open_plan(viewer=nurse, person_id=person.id, ip=None).owners == []


def test_the_plan_is_detail_except_the_parts_the_agreement_makes_summary(world, settings, tmp_path):
    """Issue 10: "the plan is detail under the agreement except what the agreement makes
    summary". The demonstration agreement makes about me, goals, actions, contingency and the
    agreement details summary; strengths and needs stay detail. A housing officer's role takes
    no detail from the community trust (``detail_from``), so the district nurse's words on needs
    are withheld from them while her goals are shown."""
    import yaml

    team, person, nurse, _ = world
    housing = make_staff(role="housing_officer", teams=[team])
    access.save_plan_section(
        viewer=nurse, person_id=person.id, section="needs", text="Leg ulcer dressings", ip=None
    )
    access.save_goal(
        viewer=nurse, person_id=person.id, text="Garden again", status="not_yet", ip=None
    )
    agreement = yaml.safe_load(open(settings.WRAPAROUND_AGREEMENT).read())
    assert "needs" not in agreement["plan_summary"] and "goals" in agreement["plan_summary"]
    assert "community" not in agreement["roles"]["housing_officer"]["detail_from"]

    plan = access.open_plan(viewer=housing, person_id=person.id, ip=None)
    assert [g.text for g in plan.goals] == ["Garden again"]
    assert "Leg ulcer dressings" not in str(plan)
    assert "Leg ulcer dressings" in str(
        access.open_plan(viewer=nurse, person_id=person.id, ip=None)
    )

    # An agreement that makes no part summary: the housing officer sees none of the nurse's plan.
    agreement["plan_summary"] = []
    stricter = tmp_path / "agreement.yaml"
    stricter.write_text(yaml.safe_dump(agreement))
    settings.WRAPAROUND_AGREEMENT = str(stricter)
    plan = access.open_plan(viewer=housing, person_id=person.id, ip=None)
    assert plan.goals == [] and plan.withheld
