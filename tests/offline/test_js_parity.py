"""The browser's copies of two server rules (static/js/summary.js) give the server's results,
run under Node.js like the engine's parity test (tests/guide/test_js_parity.py):

- ``summaryTree``: the summary panel the questionnaire shows without a network has the same
  text, the same element ids and the same ``data-shown`` as templates/assessments/_summary.html
  renders for the same evaluation;
- ``finishErrors``: finishing on the tablet is refused exactly when, and with the first message
  that, the server's sync refuses it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from bs4 import BeautifulSoup

from app import db
from app.catalogs import service as catalogs
from app.contacts import service as contacts
from app.contacts.directory import ContactRole
from app.contacts.schemas import ContactEntry, ContactScope
from app.db import local_today
from app.guide.engine import evaluate
from app.offline.guide_data import catalog_data, levels_data
from app.settings import Settings
from app.web.templating import make_templates
from tests.factories import make_child

ROOT = Path(__file__).resolve().parents[2]
SUMMARY_JS = ROOT / "static" / "js" / "summary.js"
NODE = shutil.which("node")

RUNNER = """
import fs from "node:fs";
const {summaryTree, finishErrors} = await import(process.argv[1]);
const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const trees = input.summaries.map((c) => summaryTree(c.evaluation, input.guide));
const finishes = input.finishes.map((c) => finishErrors(c.evaluation, c.choice, c.today));
process.stdout.write(JSON.stringify({trees, finishes}));
"""

pytestmark = pytest.mark.skipif(
    NODE is None and not os.environ.get("CI"), reason="Node.js is not installed"
)


def _node(tmp_path: Path, payload: dict[str, Any]) -> dict[str, Any]:
    assert NODE is not None, "Node.js is missing: apt-get install -y nodejs"
    data = tmp_path / "input.json"
    data.write_text(json.dumps(payload), encoding="utf-8")
    out = subprocess.run(  # noqa: S603 - our own script and files
        [NODE, "--input-type=module", "-e", RUNNER, SUMMARY_JS.as_uri(), str(data)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return dict(json.loads(out.stdout))


def _catalog():
    return next(c for c in catalogs.shipped_guide().catalogs if c.id == "3-5")


def _ids(
    level: int, *, critical: bool = False, acute: bool = False, n: int = 1, area: int | None = None
) -> list[str]:
    found = [
        i.id
        for a, group in enumerate(_catalog().areas)
        for i in group.indicators
        if i.level == level
        and i.critical == critical
        and i.acute == acute
        and (area is None or a == area)
    ]
    return found[:n]


def _observation_sets() -> list[list[str]]:
    catalog = _catalog()
    sets = [[], _ids(2), _ids(2, n=catalog.threshold(2) + 1), _ids(3), _ids(2) + _ids(4)]
    sets.append(_ids(4, critical=True))
    sets.append(_ids(2) + _ids(3) + _ids(4, critical=True))
    sets.append(_ids(4, acute=True) + _ids(1, n=2))  # acute, with strengths beside it
    sets.append(_ids(4, acute=True) + _ids(4, critical=True))  # the abuse rule leads
    sets.append(_ids(2, n=2, area=0) + _ids(2, area=1) + _ids(1))  # raised by breadth
    sets.append(_ids(2, n=3, area=0))  # three signs in one area: not breadth
    sets.append(_ids(1, n=3))
    return sets


def _contacts() -> list[ContactEntry]:
    """Whom to call: a named social worker with all fields, a district health visitor with a
    phone only, and the municipality's numbers."""
    named = [
        ContactEntry(
            role=ContactRole.SOCIAL_WORKER,
            name="Rikke Rådgiver",
            phone="+4570112233",
            email="rikke@kommune.dk",
            hours="Hverdage 8-15",
            user_id=3,
            scope=ContactScope.INSTITUTION,
        ),
        ContactEntry(
            role=ContactRole.HEALTH_VISITOR,
            name="Hanne Sundhedsplejerske",
            phone="+4522334455",
            email="",
            hours="",
            user_id=None,
            scope=ContactScope.DISTRICT,
        ),
    ]
    return named + contacts.municipality_contacts(Settings(_env_file=None))


def _calls() -> dict[str, list[ContactEntry]]:
    return contacts.calls_by_action(_contacts(), [a.key.value for a in catalogs.levels().actions])


def _python_summary(observed: list[str], calls: dict[str, list[ContactEntry]] | None = None) -> str:
    """_summary.html for a draft with ``observed`` ticked (as the questionnaire shows it)."""
    catalog, levels = _catalog(), catalogs.levels()
    evaluation = evaluate(catalog, observed, levels)
    texts = {i.id: i for i in catalog.indicators()}
    summary = SimpleNamespace(
        level=evaluation.level,
        computed_level=evaluation.level,
        critical=evaluation.critical,
        acute=evaluation.acute,
        mode=1 if evaluation.critical else 2 if evaluation.acute else 0,
        escalated_from=evaluation.escalated_from,
        strengths=[texts[i] for i in evaluation.strengths],
        finished=False,
        reason="",
        rationale=[texts[r.indicator_id] for r in evaluation.rationale],
        actions=[levels.action(a.value) for a in evaluation.recommended_actions],
        level_def=levels.level(evaluation.level),
        guidance=levels.level(evaluation.level).guidance,
    )
    template = make_templates().env.get_template("assessments/_summary.html")
    return template.render(summary=summary, levels=levels, calls=calls or {})


def _shape_of_html(html: str) -> dict[str, Any]:
    panel = BeautifulSoup(html, "html.parser").select_one("#summary")
    assert panel is not None
    for hidden in panel.select("svg"):
        hidden.decompose()  # decorative icons (aria-hidden)
    return {
        "shown": panel["data-shown"],
        "ids": [node["id"] for node in panel.find_all(id=True)],
        "text": re.sub(r"\s+", " ", panel.get_text(" ")).strip(),
    }


def _shape_of_tree(tree: list[Any]) -> dict[str, Any]:
    ids: list[str] = []
    words: list[str] = []

    def walk(node: Any, top: bool = False) -> None:
        if isinstance(node, str):
            words.append(node)
            return
        _tag, attrs, *children = node
        if "id" in attrs and not top:
            ids.append(attrs["id"])
        words.append(" ")
        for child in children:
            walk(child)
        words.append(" ")

    walk(tree, top=True)
    return {
        "shown": tree[1]["data-shown"],
        "ids": ids,
        "text": re.sub(r"\s+", " ", "".join(words)).strip(),
    }


def test_the_offline_summary_is_the_servers_summary(tmp_path):
    catalog, levels = _catalog(), catalogs.levels()
    sets = _observation_sets()
    guide = {"catalog": catalog_data(catalog), "levels": levels_data(levels)}
    summaries = [{"evaluation": evaluate(catalog, s, levels).to_api()} for s in sets]
    result = _node(tmp_path, {"guide": guide, "summaries": summaries, "finishes": []})
    for observed, tree in zip(sets, result["trees"], strict=True):
        assert _shape_of_tree(tree) == _shape_of_html(_python_summary(observed)), observed
    shown = {_shape_of_tree(tree)["shown"] for tree in result["trees"]}
    assert {"4:1", "4:2", "3:0"} <= shown
    ids = {i for tree in result["trees"] for i in _shape_of_tree(tree)["ids"]}
    assert {"acute-alert", "breadth-note", "strengths", "critical-alert"} <= ids


def test_the_offline_summary_names_whom_to_call_as_the_server_does(tmp_path):
    catalog, levels = _catalog(), catalogs.levels()
    sets = _observation_sets()
    calls = _calls()
    guide = {
        "catalog": catalog_data(catalog),
        "levels": levels_data(levels),
        "calls": {key: [e.as_data() for e in found] for key, found in calls.items()},
    }
    summaries = [{"evaluation": evaluate(catalog, s, levels).to_api()} for s in sets]
    result = _node(tmp_path, {"guide": guide, "summaries": summaries, "finishes": []})
    for observed, tree in zip(sets, result["trees"], strict=True):
        assert _shape_of_tree(tree) == _shape_of_html(_python_summary(observed, calls)), observed
    ids = {i for tree in result["trees"] for i in _shape_of_tree(tree)["ids"]}
    assert {"critical-call", "acute-call", "call-social_worker_consult", "call-notification"} <= ids

    def links(node: Any) -> list[str]:
        if isinstance(node, str):
            return []
        _tag, attrs, *children = node
        found = [attrs["href"]] if "href" in attrs else []
        return found + [href for child in children for href in links(child)]

    hrefs = {href for tree in result["trees"] for href in links(tree)}
    assert {"tel:+4570112233", "mailto:rikke@kommune.dk", "tel:114", "tel:112"} <= hrefs


@pytest.fixture
def staff(as_user):
    return as_user("staff")


FINISHES = [
    # (ticked, level chosen, reason, follow-up in days from today or None)
    ([], 1, "", None),
    ([], 2, "", None),
    ([], 2, "Forældrene har selv bedt om hjælp.", 14),
    ("level3", 3, "", -1),
    ("level3", 1, "", 7),
    ("critical", 4, "", None),
    ("critical", 3, "Jeg er ikke sikker.", None),
    ("critical", 2, "", None),
]
SERVER_FIELDS = {"level_override.reason": "reason", "level_override.level": "level"}
# The plan the finish step asks (docs/api-extensions.md): (ticked, level, reason, plan) where
# a plan's dates are days from today.
PLANS: list[tuple[str | list[str], int, str, dict[str, Any]]] = [
    ([], 1, "", {"focus_points": []}),
    ([], 2, "", {"focus_points": []}),
    ([], 2, "Forældrene har selv bedt om hjælp.", {"focus_points": []}),
    ("level3", 3, "", {"focus_points": []}),
    ("level3", 3, "", {"focus_points": [{"text": "", "who": "Mor"}]}),
    ("level3", 3, "", {"focus_points": [{"text": "Fast voksen", "due_on": -1}]}),
    ("level3", 3, "", {"focus_points": [{"text": "Fast voksen", "who": "Pia", "due_on": 7}]}),
    (
        "level3",
        3,
        "",
        {
            "focus_points": [{"text": "Fast voksen"}],
            "parents": {"involvement": "informed", "on": 0, "how": "Samtale"},
        },
    ),
    (
        "level3",
        3,
        "",
        {
            "focus_points": [{"text": "Fast voksen"}],
            "parents": {"involvement": "involved", "on": 1, "how": "Samtale"},
        },
    ),
    (
        "level3",
        3,
        "",
        {
            "focus_points": [{"text": "Fast voksen"}],
            "parents": {"involvement": "involved", "on": 0, "how": "  "},
        },
    ),
    (
        "critical",
        4,
        "",
        {
            "focus_points": [{"text": "Underretning sendt"}],
            "parents": {"involvement": "informed", "on": 0, "how": "Telefon"},
        },
    ),
]


def _dated(plan: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The plan with its day offsets as ISO dates."""

    def day(offset: int) -> str:
        return (today + dt.timedelta(days=offset)).isoformat()

    points = [
        {**p, **({"due_on": day(p["due_on"])} if "due_on" in p else {})}
        for p in plan["focus_points"]
    ]
    dated: dict[str, Any] = {"focus_points": points}
    if "parents" in plan:
        dated["parents"] = {**plan["parents"], "on": day(plan["parents"]["on"])}
    return dated


@pytest.mark.parametrize("with_plan", [False, True], ids=["level", "plan"])
def test_finishing_on_the_tablet_is_refused_as_the_server_refuses_it(
    tmp_path, app, org, staff, with_plan
):
    catalog, levels = _catalog(), catalogs.levels()
    ticks = {"level3": _ids(3), "critical": _ids(4, critical=True)}
    today = local_today()
    cases: list[dict[str, object]] = []
    server: list[list[str] | None] = []
    finishes = (
        [(ticked, level, reason, None, plan) for ticked, level, reason, plan in PLANS]
        if with_plan
        else [(*finish, None) for finish in FINISHES]
    )
    for ticked_key, level, reason, days, plan in finishes:
        observed = ticks.get(ticked_key, []) if isinstance(ticked_key, str) else ticked_key
        follow_up = (today + dt.timedelta(days=days)).isoformat() if days is not None else None
        evaluation = evaluate(catalog, observed, levels).to_api()
        choice: dict[str, Any] = {"level": level, "reason": reason, "follow_up_on": follow_up}
        if plan is not None:
            choice |= _dated(plan, today)
        cases.append({"evaluation": evaluation, "choice": choice, "today": today.isoformat()})
        with db.session_scope(app.state.engine) as s:
            child_id = make_child(s, org.daycare_id, org.users["staff"], age_years=4).id
        created = staff.client.post(
            f"/children/{child_id}/assessments",
            data={"csrf_token": staff.csrf_token},
            follow_redirects=False,
        )
        draft_id = int(created.headers["location"].rsplit("/", 1)[1])
        response = staff.client.post(
            f"/api/v1/offline/assessments/{draft_id}/sync",
            json={"observed": observed, "finish": choice},
            headers=staff.headers,
        )
        if response.status_code == 200:
            server.append(None)
        else:
            assert response.status_code == 422, response.text
            detail = response.json()["error"]["details"][0]  # the first, as the page shows
            server.append([SERVER_FIELDS.get(detail["field"], detail["field"]), detail["message"]])
    result = _node(tmp_path, {"guide": {}, "summaries": [], "finishes": cases})
    tablet = [errors[0] if errors else None for errors in result["finishes"]]
    assert tablet == server
    assert None in server  # both kinds were tried
    if with_plan:  # every rule of the plan was met once
        fields = {refused[0] for refused in server if refused}
        assert {"reason", "focus_points", "focus_points[0].text"} <= fields
        assert "focus_points[0].due_on" in fields
        assert {"parents", "parents.on", "parents.how"} <= fields
    assert len([s for s in server if s]) >= 3


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Europe/Copenhagen"])
def test_the_tablets_today_is_the_danish_date_whatever_its_time_zone(tmp_path, zone):
    """Between 23:00 and 24:00 UTC (22:00 in summer) the dates differ: the tablet refuses a
    follow-up "in the past" exactly when the server does only if both ask Denmark's date."""
    assert NODE is not None, "Node.js is missing: apt-get install -y nodejs"
    instants = ["2026-12-06T23:30:00Z", "2026-12-06T22:30:00Z", "2026-07-01T22:30:00Z"]
    script = (
        f"const {{todayIso}} = await import({json.dumps(SUMMARY_JS.as_uri())});"
        f"process.stdout.write(JSON.stringify({json.dumps(instants)}.map("
        "(t) => todayIso(new Date(t)))));"
    )
    out = subprocess.run(  # noqa: S603 - our own script
        [NODE, "--input-type=module", "-e", script],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TZ": zone},
    )
    expected = [
        dt.datetime.fromisoformat(t).astimezone(db.COPENHAGEN).date().isoformat() for t in instants
    ]
    assert expected == ["2026-12-07", "2026-12-06", "2026-07-02"]
    assert json.loads(out.stdout) == expected
