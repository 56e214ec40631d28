"""The browser's engine (static/guide-engine.js) gives exactly the Python engine's results.

Observation sets are generated from the shipped catalogs and the test catalogs (also with
raised thresholds, and with the levels' breadth rule off or changed): nothing, every single
sign, everything, each threshold boundary, each acute sign with and without a critical one,
each breadth boundary (level-2 signs just below and at the rule, in one area and across two),
signs with strengths, and a few hundred seeded random subsets with duplicates. All of them run
through Node.js in one process and are compared field by field with
``app.guide.engine.evaluate``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.catalogs.service import GUIDE_CONTENT_DIR
from app.guide.engine import UnknownIndicators, evaluate
from app.guide.loader import load_guide
from app.guide.schema import Catalog, LevelsConfig
from app.offline.guide_data import catalog_data, levels_data

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "static" / "guide-engine.js"
NODE = shutil.which("node")

RUNNER = """
const fs = require("fs");
const engine = require(process.argv[1]);
const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = input.cases.map((c) => {
  try {
    return {ok: engine.evaluate(input.catalogs[c.catalog], c.observed, input.levels[c.levels])};
  } catch (e) {
    return {error: e.name, ids: e.ids || null};
  }
});
process.stdout.write(JSON.stringify(out));
"""

# CI installs Node.js (.ci/run); elsewhere the parity test is skipped without it.
pytestmark = pytest.mark.skipif(
    NODE is None and not os.environ.get("CI"), reason="Node.js is not installed"
)


def _node() -> str:
    assert NODE is not None, "Node.js is missing: apt-get install -y nodejs"
    return NODE


def _python_result(catalog: Catalog, observed: list[str], levels: LevelsConfig) -> dict[str, Any]:
    try:
        evaluation = evaluate(catalog, observed, levels)
    except UnknownIndicators as error:
        return {"error": "UnknownIndicators", "ids": list(error.ids)}
    result = evaluation.to_api()
    result["observed"] = list(evaluation.observed)
    result["follow_up_days"] = evaluation.follow_up_days
    return {"ok": result}


def _observation_sets(catalog: Catalog, rng: random.Random, count: int) -> list[list[str]]:
    ids = [i.id for i in catalog.indicators()]
    sets: list[list[str]] = [[], ids, list(reversed(ids))]
    sets += [[indicator_id] for indicator_id in ids]
    for level in (2, 3, 4):
        non_critical = [i.id for i in catalog.indicators() if i.level == level and not i.critical]
        n = catalog.threshold(level)
        sets += [non_critical[: max(n - 1, 0)], non_critical[:n], non_critical[: n + 1]]
    for _ in range(count):
        size = rng.randint(1, min(len(ids), 12))
        chosen = rng.sample(ids, size)
        if rng.random() < 0.2:
            chosen += rng.sample(chosen, 1)  # a duplicate counts once
        sets.append(chosen)
    non_critical_ids = [i.id for i in catalog.indicators() if not i.critical]
    for _ in range(count // 2):
        sets.append(rng.sample(non_critical_ids, rng.randint(1, min(len(non_critical_ids), 8))))
    critical = [i.id for i in catalog.indicators() if i.critical]
    strengths = [i.id for i in catalog.indicators() if i.level == 1]
    for acute in (i.id for i in catalog.indicators() if i.acute):
        sets += [[acute, *strengths[:2]], [acute, *critical[:1]]]
    sets += _breadth_sets(catalog, rng)
    sets.append([ids[0], "zz.unknown.sign", "aa.unknown.sign"])
    return sets


def _breadth_sets(catalog: Catalog, rng: random.Random) -> list[list[str]]:
    """Level-2 signs around the shipped rule (3 signs, 2 areas): in one area, across two and
    more, one short of the count, and with strengths beside them."""
    by_area = [[i.id for i in area.indicators if i.level == 2] for area in catalog.areas]
    strengths = [i.id for i in catalog.indicators() if i.level == 1]
    sets: list[list[str]] = []
    for a, first in enumerate(by_area):
        other = by_area[(a + 1) % len(by_area)]
        sets += [first[:3], first[:1] + other[:1], first[:2] + other[:1], first[:1] + other[:2]]
        sets.append(first[:2] + other[:1] + strengths[a : a + 2])
    every_two = [ids[0] for ids in by_area if ids]
    for n in range(2, len(every_two) + 1):
        sets.append(rng.sample(every_two, n))
    return sets


def _catalogs_and_levels() -> tuple[dict[str, Catalog], dict[str, LevelsConfig]]:
    shipped = load_guide(GUIDE_CONTENT_DIR)
    fixtures = load_guide(Path(__file__).parent / "fixtures" / "content")
    catalogs: dict[str, Catalog] = {}
    for name, guide in (("shipped", shipped), ("fixture", fixtures)):
        for catalog in guide.catalogs:
            catalogs[f"{name}:{catalog.id}"] = catalog
            raised = catalog.model_copy(update={"thresholds": {2: 2, 3: 2}})
            catalogs[f"{name}:{catalog.id}:raised"] = raised
    assert shipped.levels.breadth is not None
    wider = shipped.levels.breadth.model_copy(update={"min_signs": 4, "min_areas": 3})
    levels = {
        "shipped": shipped.levels,
        "fixture": fixtures.levels,
        "shipped-no-breadth": shipped.levels.model_copy(update={"breadth": None}),
        "shipped-wider": shipped.levels.model_copy(update={"breadth": wider}),
    }
    return catalogs, levels


class TestJavaScriptEngineParity:
    def test_every_generated_observation_set_gives_the_python_result(self, tmp_path: Path) -> None:
        catalogs, levels = _catalogs_and_levels()
        rng = random.Random(20261125)
        cases: list[dict[str, Any]] = []
        for name, catalog in catalogs.items():
            source = name.split(":", 1)[0]
            names = [source] if source == "fixture" else list(levels)[:1] + list(levels)[2:]
            for observed in _observation_sets(catalog, rng, count=80):
                for levels_name in names:
                    cases.append({"catalog": name, "levels": levels_name, "observed": observed})
        payload = {
            "catalogs": {name: catalog_data(c) for name, c in catalogs.items()},
            "levels": {name: levels_data(lv) for name, lv in levels.items()},
            "cases": cases,
        }
        data = tmp_path / "cases.json"
        data.write_text(json.dumps(payload), encoding="utf-8")

        run = subprocess.run(  # noqa: S603 - fixed program and arguments
            [_node(), "-e", RUNNER, str(ENGINE), str(data)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        js_results = json.loads(run.stdout)

        assert len(js_results) == len(cases) > 1000
        mismatches = []
        for case, js in zip(cases, js_results, strict=True):
            expected = _python_result(
                catalogs[case["catalog"]], case["observed"], levels[case["levels"]]
            )
            if js != expected:
                mismatches.append((case, js, expected))
        assert mismatches[:3] == []
        levels_seen = {r["ok"]["level"] for r in js_results if "ok" in r}
        assert levels_seen == {1, 2, 3, 4}
        oks = [r["ok"] for r in js_results if "ok" in r]
        assert any(r["critical"] for r in oks)
        assert any(r["acute"] and r["parents_may_be_informed"] for r in oks)
        assert any(r["acute"] and r["critical"] for r in oks)
        assert any(r["escalated_from"] == 2 for r in oks)
        assert any(r["level"] == 2 and len(r["rationale"]) >= 3 for r in oks)  # one area only
        assert any(r["strengths"] and r["level"] > 1 for r in oks)
        assert any("error" in r for r in js_results)

    def test_a_single_id_string_is_refused_like_in_python(self, tmp_path: Path) -> None:
        script = (
            "const e = require(process.argv[1]);"
            "try { e.evaluate({id: 'x', version: 1, areas: []}, 'x.y.z', {levels: []});"
            " process.stdout.write('accepted'); }"
            "catch (err) { process.stdout.write(err.name); }"
        )
        run = subprocess.run(  # noqa: S603 - fixed program and arguments
            [_node(), "-e", script, str(ENGINE)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert run.stdout == "TypeError"
