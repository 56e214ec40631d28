"""The layering rules that import-linter cannot see, checked on the source tree itself.

Every read of a child, an assessment or a concern goes through its domain's scope module, which
checks the reader's role and institution or district and writes the audit row (house style:
"scope getters that audit"). A ``select(Concern)`` anywhere else would be a read that skips both.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
GUARDED = {"Child": "children", "Assessment": "assessments", "Concern": "concerns"}


def _reads(tree: ast.AST) -> list[tuple[int, str]]:
    """``select(Model…)``, ``select(Model.column…)`` and ``session.get(Model, …)`` calls."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in ("select", "get"):
            continue
        if name == "get" and not isinstance(func, ast.Attribute):
            continue
        args = node.args if name == "select" else node.args[:1]
        for arg in args:
            target = arg.value if isinstance(arg, ast.Attribute) else arg
            if isinstance(target, ast.Name) and target.id in GUARDED:
                found.append((node.lineno, target.id))
    return found


# Reads outside the owner's scope module, each with the reason it is not a read that skips one.
EXCEPTIONS = {
    ("concerns/scope.py", "Child"): "the child of an assessment its scope has checked and audited",
}


def _allowed(path: Path, model: str) -> bool:
    domain = GUARDED[model]
    if path.parent.name == domain and path.name in ("scope.py", "models.py"):
        return True
    return (f"{path.parent.name}/{path.name}", model) in EXCEPTIONS


MODULES = sorted(APP.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(APP.parent)))
def test_children_assessments_and_concerns_are_read_only_through_their_scope(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    offending = [
        f"{path.relative_to(APP.parent)}:{line} reads {model}"
        for line, model in _reads(tree)
        if not _allowed(path, model)
    ]
    assert offending == []


def test_the_check_sees_a_read_it_must_refuse():
    tree = ast.parse("select(Concern).where(x)\nsession.get(Child, 1)\nselect(Assessment.id)")
    assert sorted(model for _, model in _reads(tree)) == ["Assessment", "Child", "Concern"]


# Packages outside the domain order, each with its own contract: the pure core, the audit log
# that every domain may call, the web infrastructure that imports no domain but accounts.
NOT_A_DOMAIN = {"guide", "audit", "web"}


def test_every_domain_has_its_place_in_the_order_of_domains():
    contracts = tomllib.loads((APP.parent / "pyproject.toml").read_text(encoding="utf-8"))
    order = next(
        contract["layers"]
        for contract in contracts["tool"]["importlinter"]["contracts"]
        if contract["name"].startswith("Across domains")
    )
    packages = {path.parent.name for path in APP.glob("*/__init__.py")}
    assert {f"app.{name}" for name in packages - NOT_A_DOMAIN} == set(order)


def _machine_dates(tree: ast.AST) -> list[int]:
    """``date.today()`` and a ``datetime.now()`` without a zone: the machine's calendar."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        today = node.func.attr == "today" and owner_name == "date"
        naive_now = node.func.attr == "now" and owner_name == "datetime" and not node.args
        if today or naive_now:
            found.append(node.lineno)
    return found


SOURCES = sorted([*APP.rglob("*.py"), *(APP.parent / "tests").rglob("*.py")])


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(APP.parent)))
def test_today_is_denmarks_date_not_the_machines(path):
    """The app's dates are Danish calendar dates (``db.local_today``, ``db.utcnow``): a test or
    a module that asks the machine's date disagrees with them for an hour or two every night
    (the server runs in UTC), which is how ten tests failed only between 23:00 and 24:00."""
    assert _machine_dates(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_date_check_sees_a_machine_date():
    source = "\n".join(
        [
            "import datetime as dt",
            "a = dt.date.today()",
            "b = datetime.now()",
            "c = dt.datetime.now(dt.UTC)",
        ]
    )
    assert _machine_dates(ast.parse(source)) == [2, 3]
