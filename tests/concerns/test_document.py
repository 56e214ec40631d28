"""The notification as a document for the municipality's case system (issue 15):
``GET /api/v1/concerns/{id}/document.pdf`` (PDF/A) and ``document.json``, for the notifier's
institution and the district's social workers only; every download is audited."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject
from sqlmodel import select

from app import db
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.audit.tags import AuditTag
from app.catalogs import service as catalogs
from app.concerns import service as concerns
from app.concerns.models import Concern
from app.concerns.schemas import ABUSE_RULE, NotificationDetails, Urgency
from app.web.templating import local_time
from tests.factories import id_of, make_child, make_finished_assessment, signs

CPR = "070621-4321"
MESSAGE = "Vigga har blå mærker på armene.\nHun siger, at hun faldt på trappen."
DONE = "Talt med lederen og skrevet ned, hvad vi har set."
ROLE = "Pædagog, Viggas primærperson"
PARENTS = "Mor: Hanne Thomsen, 20 30 40 50"


def _words(text: str) -> str:
    """Text with every run of white space as one space (a PDF breaks lines anywhere)."""
    return " ".join(text.split())


@pytest.fixture
def record(app, org) -> dict[str, int]:
    """Vigga (Nord daycare): a finished assessment with two signs on level 3 and one
    strength, a notification about it with a CPR number and every detail, and an anonymous
    consultation; Sigurd: a critical notification (the abuse rule)."""
    with db.session_scope(app.state.engine) as s:
        catalogs.import_shipped(s)
        staff = s.get_one(User, org.users["staff"])
        child = make_child(
            s,
            org.daycare_id,
            id_of(staff),
            first_name="Vigga",
            last_name="Thomsen",
            birth_date=dt.date(2021, 6, 7),
        )
        observed = signs(level=3, n=2) + signs(level=1)
        finished = make_finished_assessment(s, staff, child, observed=observed)
        notification = concerns.submit_notification(
            s,
            staff,
            assessment_id=id_of(finished),
            data=concerns.NotificationInput(
                message=MESSAGE,
                parents_informed=False,
                parents_note="Far blev vred, da vi sidst talte om mærkerne.",
                cpr=CPR,
                details=NotificationDetails(
                    done_so_far=DONE,
                    notifier_role=ROLE,
                    parents=PARENTS,
                    interpreter_language="arabisk",
                    urgency=Urgency.URGENT,
                ),
                confirmed=True,
            ),
            cipher=app.state.cpr_cipher,
        )
        consultation = concerns.submit_consultation(
            s, staff, assessment_id=id_of(finished), message="Sparring om trivsel, tak."
        )
        sigurd = make_child(
            s, org.daycare_id, id_of(staff), first_name="Sigurd", birth_date=dt.date(2021, 2, 3)
        )
        critical = make_finished_assessment(
            s, staff, sigurd, observed=signs(level=4, critical=True)
        )
        abuse = concerns.submit_notification(
            s,
            staff,
            assessment_id=id_of(critical),
            data=concerns.NotificationInput(
                message="Sigurd fortæller, at far slår.", parents_informed=None, confirmed=True
            ),
            cipher=app.state.cpr_cipher,
        )
        return {
            "child": id_of(child),
            "assessment": id_of(finished),
            "notification": id_of(notification),
            "consultation": id_of(consultation),
            "abuse": id_of(abuse),
        }


def _document_rows(app, concern_id: int) -> list[AuditEvent]:
    with db.session_scope(app.state.engine) as s:
        return list(
            s.exec(
                select(AuditEvent).where(
                    AuditEvent.action == AuditTag.CONCERN_DOCUMENT,
                    AuditEvent.object_id == str(concern_id),
                )
            ).all()
        )


def _stored(app, concern_id: int) -> Concern:
    with db.session_scope(app.state.engine) as s:
        concern = s.get_one(Concern, concern_id)
        s.expunge(concern)
        return concern


class TestWhoMayFetchTheDocument:
    def test_a_consultation_has_no_document(self, app, as_user, record):
        for name in ("staff", "social"):
            user = as_user(name)
            for suffix in ("pdf", "json"):
                url = f"/api/v1/concerns/{record['consultation']}/document.{suffix}"
                response = user.client.get(url)
                assert response.status_code == 404, (name, suffix)
                assert response.json()["error"]["code"]
        assert _document_rows(app, record["consultation"]) == []

    def test_another_institution_and_another_district_get_not_found(self, app, as_user, record):
        # teacher: another institution of the same district; staff_syd and social_syd: Syd.
        for name in ("teacher", "staff_syd", "social_syd"):
            user = as_user(name)
            for suffix in ("pdf", "json"):
                url = f"/api/v1/concerns/{record['notification']}/document.{suffix}"
                response = user.client.get(url)
                assert response.status_code == 404, (name, suffix)
                assert "Vigga" not in response.text
        assert _document_rows(app, record["notification"]) == []

    def test_admins_work_with_no_case_and_anonymous_must_log_in(self, as_user, client, record):
        url = f"/api/v1/concerns/{record['notification']}/document.json"
        assert as_user("admin").client.get(url).status_code == 403
        assert client.get(url).status_code == 401

    def test_an_unknown_concern_is_not_found(self, as_user, record):
        assert as_user("social").client.get("/api/v1/concerns/99999/document.pdf").status_code == (
            404
        )


class TestDocumentJson:
    def test_the_notifiers_institution_gets_the_notification_as_filed(self, app, as_user, record):
        response = as_user("leader").client.get(
            f"/api/v1/concerns/{record['notification']}/document.json"
        )

        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-disposition"] == (
            f'attachment; filename="underretning-{record["notification"]}.json"'
        )
        body = response.json()
        stored = _stored(app, record["notification"])
        assert (body["kind"], body["id"]) == ("notification", record["notification"])
        assert body["child"] == {
            "name": "Vigga Thomsen",
            "birth_date": "2021-06-07",
            "cpr_masked": "070621-XXXX",
            "age_years": stored.age_years,
            "parents": PARENTS,
            "interpreter_language": "arabisk",
        }
        assert "4321" not in response.text
        assert body["notifier"]["name"] == "Sofie Pædagog"
        assert body["notifier"]["role"] == ROLE
        assert body["notifier"]["institution"]["name"] == "Børnehuset Solsikken"
        assert body["recipient"]["district"] == "Nord"
        assert body["urgency"] == "urgent"
        assert (body["critical"], body["acute"]) == (False, False)
        assert body["level"] == {"level": 3, "name": "Mistrivsel"}
        assert body["message"] == MESSAGE
        assert body["done_so_far"] == DONE
        assert body["parents"] == {
            "informed": False,
            "note": "Far blev vred, da vi sidst talte om mærkerne.",
            "abuse_rule": False,
        }
        assert dt.datetime.fromisoformat(body["received_at"]) == stored.created_at

    def test_it_names_the_catalog_version_and_the_texts_that_were_ticked(
        self, app, as_user, record
    ):
        body = (
            as_user("staff")
            .client.get(f"/api/v1/concerns/{record['notification']}/document.json")
            .json()
        )
        stored = _stored(app, record["notification"])
        catalog = catalogs.shipped_guide().catalog("3-5")
        assert body["catalog"] == {"id": "3-5", "version": catalog.version, "title": catalog.title}
        worries = [i for i in stored.observed if int(str(i["level"])) >= 2]
        assert [s["text"] for s in body["observed_indicators"]] == [i["text"] for i in worries]
        assert [s["level"] for s in body["observed_indicators"]] == [3, 3]
        strength = next(i for i in stored.observed if i["level"] == 1)
        assert body["strengths"] == [{"id": strength["id"], "text": strength["text"]}]

    def test_it_gives_both_deadlines_and_how_they_stand(self, app, as_user, record):
        social = as_user("social")
        url = f"/api/v1/concerns/{record['notification']}/document.json"
        before = social.client.get(url).json()
        stored = _stored(app, record["notification"])
        assert dt.datetime.fromisoformat(before["deadlines"]["assess_by"]["due"]) == (
            stored.created_at + dt.timedelta(hours=24)
        )
        assert before["deadlines"]["acknowledge_by"]["met"] is None
        assert before["handling"]["status"] == "received"

        moved = social.client.post(
            f"/api/v1/concerns/{record['notification']}/transitions",
            json={"to": "acknowledged"},
            headers=social.headers,
        )
        assert moved.status_code == 200
        after = social.client.get(url).json()
        assert after["deadlines"]["acknowledge_by"]["met"] is True
        assert after["deadlines"]["acknowledge_by"]["state"] == "met"
        assert after["handling"]["status"] == "acknowledged"
        assert after["handling"]["acknowledged_at"] is not None

    def test_the_districts_social_worker_gets_the_same_document(self, as_user, record):
        url = f"/api/v1/concerns/{record['notification']}/document.json"
        institution = as_user("staff").client.get(url).json()
        district = as_user("social").client.get(url).json()
        for body in (institution, district):
            body.pop("generated_at")
            body["deadlines"] = {k: v["due"] for k, v in body["deadlines"].items()}
        assert district == institution

    def test_the_abuse_rule_says_why_the_parents_were_not_told(self, as_user, record):
        body = (
            as_user("social").client.get(f"/api/v1/concerns/{record['abuse']}/document.json").json()
        )
        assert body["critical"] is True
        assert body["parents"]["informed"] is False
        assert body["parents"]["abuse_rule"] is True
        assert body["child"]["cpr_masked"] is None

    def test_every_download_is_audited_and_shows_in_the_childs_access_log(
        self, app, as_user, record
    ):
        as_user("social").client.get(f"/api/v1/concerns/{record['notification']}/document.pdf")
        as_user("staff").client.get(f"/api/v1/concerns/{record['notification']}/document.json")

        rows = _document_rows(app, record["notification"])
        assert sorted((r.actor_role, r.detail) for r in rows) == [
            ("social_worker", "journalisering (underretning som pdf)"),
            ("staff", "journalisering (underretning som json)"),
        ]
        assert {r.child_id for r in rows} == {record["child"]}
        log = as_user("leader").client.get(f"/children/{record['child']}/access-log.csv")
        lines = list(csv.reader(io.StringIO(log.text)))
        assert any(
            "Underretning hentet som dokument" in line
            and "journalisering (underretning som pdf)" in line
            for line in lines
        )


def _pdf(response) -> PdfReader:
    assert response.status_code == 200, response.text
    return PdfReader(io.BytesIO(response.content))


def _dictionary(value: PdfObject) -> DictionaryObject:
    """A PDF dictionary, through its reference if it is one."""
    found = value.get_object()
    assert isinstance(found, DictionaryObject), type(found)
    return found


def _array(value: PdfObject) -> ArrayObject:
    """A PDF array, through its reference if it is one."""
    found = value.get_object()
    assert isinstance(found, ArrayObject), type(found)
    return found


def _text(reader: PdfReader) -> str:
    return _words(" ".join(page.extract_text() for page in reader.pages))


class TestDocumentPdf:
    def test_the_pdf_holds_what_the_case_system_files(self, app, as_user, record):
        response = as_user("staff").client.get(
            f"/api/v1/concerns/{record['notification']}/document.pdf"
        )

        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-disposition"] == (
            f'attachment; filename="underretning-{record["notification"]}.pdf"'
        )
        text = _text(_pdf(response))
        stored = _stored(app, record["notification"])
        catalog = catalogs.shipped_guide().catalog("3-5")
        for heading in (
            "Underretning",
            "Barnet",
            "Underretter",
            "Det observerede",
            "Det er gjort",
            "Forældrene",
            "Modtaget og frister",
        ):
            assert heading in text
        assert "Vigga Thomsen" in text
        assert "070621-XXXX" in text
        assert CPR not in text
        assert "0706214321" not in text
        assert "Sofie Pædagog" in text
        assert ROLE in text
        assert PARENTS in text
        for indicator in stored.observed:
            assert _words(str(indicator["text"])) in text
        assert f"katalog 3-5, version {catalog.version}" in text
        assert _words(MESSAGE) in text
        assert DONE in text
        assert "Far blev vred, da vi sidst talte om mærkerne." in text
        assert f"Modtaget {local_time(stored.created_at)}" in text
        assess_by = local_time(stored.created_at + dt.timedelta(hours=24))
        assert f"Vurderes senest (24 timer efter modtagelsen) {assess_by} – Åben" in text
        assert "Kvittering til underretteren senest (6 hverdage)" in text
        assert "Hurtigst muligt" in text

    def test_the_pdf_is_pdf_a_with_its_fonts_embedded(self, as_user, record):
        reader = _pdf(
            as_user("social").client.get(f"/api/v1/concerns/{record['notification']}/document.pdf")
        )

        xmp = reader.xmp_metadata
        assert xmp is not None
        assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "B")
        root = _dictionary(reader.trailer["/Root"])
        intent = _dictionary(_array(root["/OutputIntents"])[0])
        assert str(intent["/S"]) == "/GTS_PDFA1"
        assert str(root["/Lang"]) == "da"
        fonts = [
            _dictionary(font)
            for page in reader.pages
            for font in _dictionary(_dictionary(page["/Resources"])["/Font"]).values()
        ]
        assert fonts
        for font in fonts:
            descendant = _dictionary(_array(font["/DescendantFonts"])[0])
            descriptor = _dictionary(descendant["/FontDescriptor"])
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]

    def test_what_a_user_typed_is_printed_as_text_never_as_markup(self, app, org, as_user):
        with db.session_scope(app.state.engine) as s:
            catalogs.import_shipped(s)
            staff = s.get_one(User, org.users["staff"])
            child = make_child(s, org.daycare_id, id_of(staff), first_name="Alma")
            finished = make_finished_assessment(s, staff, child, observed=signs(level=3))
            concern = concerns.submit_notification(
                s,
                staff,
                assessment_id=id_of(finished),
                data=concerns.NotificationInput(
                    message='<img src="http://127.0.0.1:9/x.png"> <b>fed</b> & mere',
                    parents_informed=True,
                    confirmed=True,
                ),
                cipher=app.state.cpr_cipher,
            )
            concern_id = id_of(concern)

        text = _text(
            _pdf(as_user("staff").client.get(f"/api/v1/concerns/{concern_id}/document.pdf"))
        )

        assert '<img src="http://127.0.0.1:9/x.png"> <b>fed</b> & mere' in text
        assert "Orienteret om underretningen Ja" in text

    def test_the_abuse_rule_and_a_missing_cpr_number_are_printed(self, as_user, record):
        text = _text(
            _pdf(as_user("social").client.get(f"/api/v1/concerns/{record['abuse']}/document.pdf"))
        )

        assert "Mistanke om vold eller seksuelle overgreb" in text
        assert _words(ABUSE_RULE) in text
        assert "CPR-nummer Ikke oplyst" in text
        assert "Sigurd fortæller, at far slår." in text
