"""Every read of a concern goes through app/concerns/scope.py (house style: scope in one
place), so that a new view or service cannot forget who may see what."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
ALLOWED = {APP / "concerns" / "scope.py", APP / "concerns" / "models.py"}
READ = re.compile(r"select\(\s*(Concern|ConcernEvent)\b|\.get\(\s*(Concern|ConcernEvent)\s*,")


def test_no_module_but_scope_reads_concerns():
    offenders = [
        f"{path.relative_to(APP.parent)}:{number}"
        for path in sorted(APP.rglob("*.py"))
        if path not in ALLOWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if READ.search(line)
    ]
    assert offenders == []
