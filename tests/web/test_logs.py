"""The logs hold no personal data: a whole scenario with a named child and a CPR number, and
every line is JSON carrying the request id (app.logs, the access line of web.middleware)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import logging.config
from typing import Any

import pytest

from app.children import scope as children_scope
from app.cli import uvicorn_options
from app.logs import JsonFormatter, PlainFormatter, logging_config, resolve_format
from tests.assessments.test_api import signs

FIRST, LAST = "Sigrid", "Kristoffersen"
CPR = "070621-4000"
SECRETS = (FIRST, LAST, CPR, CPR.replace("-", ""), "Bekymret for Sigrid")


@pytest.fixture
def captured():
    """Every log record of the app and the server, as the production formatter writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    # The test's own HTTP client (httpx) logs the URLs it asks for: it is not the server.
    handler.addFilter(lambda record: not record.name.startswith(("httpx", "httpcore")))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_whole_scenario_logs_no_name_and_no_cpr(as_user, captured, monkeypatch):
    staff, social = as_user("staff"), as_user("social")
    answered: list[str] = []

    def remember(response):
        answered.append(response.headers["x-request-id"])
        return response

    child = remember(
        staff.client.post(
            "/api/v1/children",
            json={"first_name": FIRST, "last_name": LAST, "birth_date": "2021-06-07"},
            headers=staff.headers,
        )
    ).json()
    assert remember(staff.client.get("/api/v1/children", params={"q": LAST})).status_code == 200
    assert remember(staff.client.get(f"/children?q={FIRST}")).status_code == 200
    assessment = remember(
        staff.client.post(
            "/api/v1/assessments",
            json={"child_id": child["id"], "observed": signs(level=4), "notes": f"{FIRST} græd."},
            headers=staff.headers,
        )
    ).json()
    assert assessment["level"] == 4
    assert remember(staff.client.get(f"/children/{child['id']}")).status_code == 200
    concern = remember(
        staff.client.post(
            "/api/v1/concerns",
            json={
                "assessment_id": assessment["id"],
                "kind": "notification",
                "message": "Bekymret for Sigrid.",
                "parents_informed": True,
                "cpr": CPR,
            },
            headers=staff.headers,
        )
    ).json()
    url = f"/api/v1/concerns/{concern['id']}"
    assert (
        remember(
            social.client.post(
                url + "/transitions", json={"to": "acknowledged"}, headers=social.headers
            )
        ).json()["status"]
        == "acknowledged"
    )
    revealed = remember(
        social.client.post(
            url + "/cpr", json={"purpose": "Oprettelse af sag"}, headers=social.headers
        )
    )
    assert revealed.json() == {"cpr": CPR}
    # Bad input that quotes the name back to the user (422) …
    refused = remember(
        staff.client.post(
            "/api/v1/children",
            json={"first_name": FIRST, "last_name": LAST, "birth_date": "07-06-2021"},
            headers=staff.headers,
        )
    )
    assert refused.status_code == 422

    # … and an error deep down whose message quotes the row, as a database error does.
    def fail(*_args, **_kwargs):
        try:
            raise ValueError(f"Key (cpr)=({CPR.replace('-', '')}) already exists")
        except ValueError as error:
            raise RuntimeError(f"could not list {FIRST} {LAST} ({CPR})") from error

    monkeypatch.setattr(children_scope, "visible_children", fail)
    failed = remember(staff.client.get("/api/v1/children", params={"q": CPR}))
    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "internal_error"

    lines = _lines(captured)
    text = captured.getvalue()
    for secret in SECRETS:
        assert secret not in text
    assert all(line["request_id"] for line in lines if line["logger"].startswith("trivsel."))
    access = [line for line in lines if line["logger"] == "trivsel.access"]
    assert [line["request_id"] for line in access][-len(answered) :] == answered
    assert {"route": "/api/v1/concerns/{concern_id}/cpr", "status": 200}.items() <= access[
        -3
    ].items()
    assert "?" not in json.dumps([line["route"] for line in access])
    error = next(line for line in lines if line["logger"] == "trivsel.errors")
    assert error["request_id"] == failed.headers["x-request-id"]
    assert error["message"] == "unexpected error on GET /api/v1/children"
    exception = str(error["exception"])
    assert "builtins.ValueError" in exception
    assert exception.rstrip().endswith("builtins.RuntimeError")
    assert "in fail" in exception  # where it happened, without what it said


def test_a_path_no_route_matches_is_logged_as_unmatched(client, captured):
    assert client.get(f"/born/{FIRST}-{LAST}").status_code == 404
    (line,) = [line for line in _lines(captured) if line["logger"] == "trivsel.access"]
    assert (line["route"], line["status"], line["method"]) == ("unmatched", 404, "GET")
    assert FIRST not in json.dumps(line)


class TestRequestIdFromTheClient:
    """A proxy's or client's X-Request-ID is carried through when it is a plain token, and
    replaced by one of ours when it could forge a log field or is too long."""

    @pytest.mark.parametrize(
        "sent", ["3f2a9c1e-7b44-4d0e-9a51-0c2b6f1d8e77", "lb-01:req.42", "a" * 64]
    )
    def test_a_plain_token_is_kept_in_the_answer_and_the_log(self, client, captured, sent):
        response = client.get("/healthz", headers={"X-Request-ID": sent})
        assert response.headers["x-request-id"] == sent
        (line,) = [line for line in _lines(captured) if line["logger"] == "trivsel.access"]
        assert line["request_id"] == sent

    @pytest.mark.parametrize(
        "sent",
        [
            b'x" status=200 route="/admin',
            b"id med mellemrum",
            b"a" * 65,
            "æøå".encode("latin-1"),
            b"line\tbreak",
        ],
    )
    def test_anything_else_is_replaced_by_an_id_of_ours(self, client, captured, sent):
        response = client.get("/healthz", headers={"X-Request-ID": sent})
        ours = response.headers["x-request-id"]
        assert ours
        assert ours.encode() != sent
        (line,) = [line for line in _lines(captured) if line["logger"] == "trivsel.access"]
        assert line["request_id"] == ours
        assert sent.decode("latin-1") not in captured.getvalue()


def _record(message: str = "hej", **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("trivsel.test", logging.INFO, __file__, 1, message, (), None)
    record.__dict__.update(extra)
    return record


class TestFormatters:
    def test_only_the_listed_fields_are_written(self):
        line = json.loads(
            JsonFormatter().format(_record(route="/x", status=200, body={"first_name": FIRST}))
        )
        assert set(line) == {"time", "level", "logger", "message", "request_id", "route", "status"}
        assert dt.datetime.fromisoformat(str(line["time"])).utcoffset() == dt.timedelta(0)
        assert (line["level"], line["request_id"]) == ("info", "")

    def test_a_record_without_an_exception_object_has_no_exception_text(self):
        record = _record()
        record.exc_info = (None, None, None)
        assert json.loads(JsonFormatter().format(record))["exception"] == ""

    def test_plain_text_for_a_terminal(self):
        text = PlainFormatter().format(_record("GET /x", request_id="abc"))
        assert text.endswith("INFO    trivsel.test: GET /x request_id=abc")
        try:
            raise KeyError(CPR)
        except KeyError:
            record = _record("boom")
            record.exc_info = __import__("sys").exc_info()
        text = PlainFormatter().format(record)
        assert text.endswith("builtins.KeyError")
        assert CPR not in text

    def test_auto_is_plain_on_a_terminal_and_json_elsewhere(self):
        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        assert resolve_format("auto", Terminal()) == "plain"
        assert resolve_format("auto", io.StringIO()) == "json"
        assert resolve_format("plain", io.StringIO()) == "plain"
        assert resolve_format("json", Terminal()) == "json"


def test_serve_logs_everything_through_one_formatter_and_access_lines_on_stdout(settings):
    options = uvicorn_options(settings.model_copy(update={"log_format": "json"}))
    config = options["log_config"]
    assert options["access_log"] is False
    assert config["formatters"]["trivsel"] == {"()": "app.logs.JsonFormatter"}
    assert config["loggers"]["trivsel.access"]["handlers"] == ["stdout"]
    assert config["loggers"]["uvicorn"]["handlers"] == ["stderr"]
    plain = logging_config("warning", "plain")
    assert plain["formatters"]["trivsel"] == {"()": "app.logs.PlainFormatter"}
    assert plain["loggers"]["trivsel"]["level"] == "WARNING"
