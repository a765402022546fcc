"""Dietary and accessibility needs and sensitive answers: own retention, own export, never in
the general exports; followed into every table, page and export."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from meetings.extensions import db
from meetings.models import AuditEntry, Edition
from meetings.registration import configuration, retention
from meetings.registration.models import (
    QuestionKind,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)
from tests.factories import make_edition, open_registration, registration_category

NOW = datetime.now(UTC)
DIET, ACCESS, ANSWER = "canary-diet-7731", "canary-access-4410", "canary-answer-9902"
CANARIES = (DIET, ACCESS, ANSWER)
NEEDS = (DIET, ACCESS, ANSWER, "Halal", "Wheelchair", "Asthma")


def edition_with_needs(slug: str, ends_on: date, needs: tuple[str, ...] = NEEDS) -> Edition:
    """An edition with a sensitive and an ordinary question and four registrations."""
    diet, access, answer, diet2, access2, answer2 = needs
    edition = make_edition(slug=slug, starts_on=ends_on - timedelta(days=1))
    # Opened while the edition was still ahead: an edition that is over never opens.
    open_registration(edition, now=min(NOW, datetime.combine(ends_on, time(12), UTC)
                                        - timedelta(days=40)))
    health = configuration.add_question(edition, label="Medical conditions",
                                        kind=QuestionKind.SHORT_TEXT, choices_text="",
                                        required=False, sensitive=True)
    topic = configuration.add_question(edition, label="Favourite topic",
                                       kind=QuestionKind.SHORT_TEXT, choices_text="",
                                       required=False)
    people = [
        ("Ada", "Lovelace", RegistrationStatus.APPROVED, f"Vegetarian {diet}", "", answer),
        ("Alan", "Turing", RegistrationStatus.APPROVED, f"vegetarian  {diet}", access, ""),
        ("Grace", "Hopper", RegistrationStatus.APPROVED, "", "", ""),
        ("Pending", "Person", RegistrationStatus.PENDING, diet2, access2, answer2),
    ]
    for n, (given, family, status, dietary, access, answer) in enumerate(people):
        answers = {str(topic.id): f"topic-{given}"}
        if answer:
            answers[str(health.id)] = answer
        db.session.add(Registration(
            edition=edition, category=registration_category(edition), status=status,
            email=f"{given.lower()}-{slug}@example.org", given_name=given, family_name=family,
            organization="Secret Service Unit", country="FR", dietary=dietary,
            accessibility=access, answers=answers, arrival=n + 1, created_at=NOW))
    db.session.flush()
    return edition


def everything_stored() -> str:
    """Every row of every table, as text (new tables are covered without touching this test)."""
    return "\n".join(str(tuple(row)) for table in db.metadata.sorted_tables
                     for row in db.session.execute(sa.select(table)))


@pytest.fixture
def past(app):
    with app.app_context():
        edition = edition_with_needs("2026-past", date.today() - timedelta(days=30))
        db.session.commit()
        return edition.id


def test_general_exports_leave_out_needs_and_sensitive_answers(app, client, admin, past):
    text = client.get(f"/manage/editions/{past}/registrations/export.csv").get_data(as_text=True)
    assert "topic-Ada" in text and "Medical conditions" not in text
    assert not [canary for canary in CANARIES if canary in text]
    assert "dietary" not in text and "accessibility" not in text
    body = client.get(f"/manage/editions/{past}/registrations/export.xlsx").data
    cells = [str(cell.value) for row in load_workbook(io.BytesIO(body)).active.iter_rows()
             for cell in row]
    assert "topic-Ada" in cells
    assert not [cell for cell in cells if any(canary in cell for canary in CANARIES)]


def test_catering_export_counts_needs_names_only_and_is_audited(app, client, admin, past):
    response = client.get(f"/manage/editions/{past}/registrations/catering.csv")
    assert response.status_code == 200
    assert "catering-access-2026-past.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    blank = rows.index([])
    counts, details = rows[1:blank], rows[blank + 1:]
    assert ["dietary", f"Vegetarian {DIET}", "2"] in counts
    assert ["accessibility", ACCESS, "1"] in counts
    assert ["Medical conditions", ANSWER, "1"] in counts
    assert details[0] == ["given_name", "family_name", "dietary", "accessibility",
                          "Medical conditions"]
    # Approved attendees with a need, nothing else about them; pending people wait.
    assert [row[:2] for row in details[1:]] == [["Ada", "Lovelace"], ["Alan", "Turing"]]
    text = response.get_data(as_text=True)
    for absent in ("example.org", "Secret Service Unit", "topic-", "Halal", "Grace"):
        assert absent not in text
    with app.app_context():
        summaries = db.session.scalars(sa.select(AuditEntry.summary).where(
            AuditEntry.edition_id == past, AuditEntry.action == "registration.export")).all()
    assert summaries == ["Exported the catering and access needs of 3 approved attendees"]


def test_the_registrations_page_links_the_catering_export(client, admin, past):
    page = client.get(f"/manage/editions/{past}/registrations/").get_data(as_text=True)
    assert f"/manage/editions/{past}/registrations/catering.csv" in page


def test_clearing_runs_the_day_after_the_sensitive_retention_ends(app):
    with app.app_context():
        edition = edition_with_needs("2027", date(2027, 3, 29))
        last_kept = datetime(2027, 4, 5, 23, 59, tzinfo=UTC)  # 2027-03-29 + 7 days
        assert retention.clear_due(retention_days=7, now=last_kept) == []
        assert DIET in everything_stored()
        done = retention.clear_due(retention_days=7, now=last_kept + timedelta(minutes=1))
        assert done == [(edition, 3)]  # Ada, Alan and the pending person held needs
        assert retention.clear_due(retention_days=7, now=last_kept + timedelta(days=9)) == []
        assert retention.clear_after(edition, 7) == date(2027, 4, 6)


def test_purge_due_clears_past_editions_everywhere_once(app, client, runner, admin, past):
    with app.app_context():
        recent = edition_with_needs("2026-recent", date.today() - timedelta(days=3),
                                    needs=("kept-1", "kept-2", "kept-3", "kept-4", "", "")).id
        db.session.commit()
    result = runner.invoke(args=["meetings", "purge", "--due"])
    assert result.exit_code == 0, result.output
    assert "Cleared the sensitive data of 3 registration(s) of 2026-past." in result.output
    with app.app_context():
        stored = everything_stored()
        assert "Halal" not in stored and "Wheelchair" not in stored and "Asthma" not in stored
        assert not [canary for canary in CANARIES if canary in stored]
        assert "topic-Ada" in stored  # the ordinary answers stay until the general purge
        ada = db.session.scalar(sa.select(Registration).where(
            Registration.edition_id == past, Registration.given_name == "Ada"))
        recent_needs = db.session.scalars(sa.select(Registration.dietary).where(
            Registration.edition_id == recent, Registration.dietary != "")).all()
        entries = db.session.scalars(sa.select(AuditEntry.summary).where(
            AuditEntry.action == "registration.sensitive_purge")).all()
    assert len(recent_needs) == 3  # within its 7 days: kept
    assert entries == ["Cleared the dietary, accessibility and sensitive answers of 3 "
                       "registrations of 2026-past (7 days after it ended)."]
    pages = [client.get(f"/manage/editions/{past}/registrations/{ada.id}"),
             client.get(f"/manage/editions/{past}/registrations/catering.csv"),
             client.get(f"/manage/editions/{past}/registrations/export.csv")]
    for response in pages:
        assert response.status_code == 200
        assert not [c for c in CANARIES if c in response.get_data(as_text=True)]
    again = runner.invoke(args=["meetings", "purge", "--due"])
    assert again.exit_code == 0 and "No sensitive data was due" in again.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "registration.sensitive_purge")) == 1


@pytest.mark.parametrize("args", [["meetings", "purge"], ["meetings", "purge", "2027", "--due"]])
def test_purge_wants_a_slug_or_due(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and "Give either an edition's slug or --due." in result.output


def test_the_form_says_who_sees_needs_and_when_they_are_deleted(app, client):
    app.config["SENSITIVE_DATA_RETENTION_DAYS"] = 12
    with app.app_context():
        edition_with_needs("2027", date.today() + timedelta(days=60))
        db.session.commit()
    page = client.get("/2027/register").get_data(as_text=True)
    promise = "It is deleted automatically 12 days after the meeting ends."
    # Dietary, accessibility and the sensitive question each carry it; the ordinary one not.
    assert page.count(promise) == 3
    assert "organizers see it; they pass it on to the venue" in page
    assert "deleted after the meeting." not in page


def test_organizers_mark_questions_sensitive(app, client, admin, past):
    url = f"/manage/editions/{past}/registrations/questions"
    response = client.post(url, data={"label": "Religion", "kind": "short_text",
                                       "sensitive": "y"})
    assert response.status_code == 302
    with app.app_context():
        religion = db.session.scalar(sa.select(RegistrationQuestion).where(
            RegistrationQuestion.label == "Religion"))
        topic = db.session.scalar(sa.select(RegistrationQuestion).where(
            RegistrationQuestion.label == "Favourite topic"))
    assert religion.sensitive is True and topic.sensitive is False
    page = client.get(url).get_data(as_text=True)
    assert "Mark sensitive" in page and "Not sensitive" in page
    client.post(f"/manage/registration-questions/{topic.id}/sensitive", data={"sensitive": "1"})
    with app.app_context():
        assert db.session.get(RegistrationQuestion, topic.id).sensitive is True
    text = client.get(f"/manage/editions/{past}/registrations/export.csv").get_data(as_text=True)
    assert "topic-Ada" not in text
