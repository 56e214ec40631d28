"""Fixtures for the guide core: a small valid content root and helpers to break it.

tests/guide/fixtures/content/ holds levels.yaml and two catalogs (0–8 and 9–17 years) written
for the tests; the shipped content in guide_content/ is checked in test_shipped_content.py.
"""

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.guide.loader import parse_catalog, parse_levels
from app.guide.schema import Catalog, LevelsConfig

CONTENT = Path(__file__).parent / "fixtures" / "content"


def _read(relative: str) -> str:
    return (CONTENT / relative).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def levels() -> LevelsConfig:
    """The levels and actions of the test content."""
    return parse_levels(_read("levels.yaml"))


@pytest.fixture(scope="session")
def young() -> Catalog:
    """The 0–8 catalog: thresholds 1, critical signs in health and relations."""
    return parse_catalog(_read("catalogs/0-8.yaml"))


@pytest.fixture(scope="session")
def older() -> Catalog:
    """The 9–17 catalog: like 0–8, but level 3 needs two signs."""
    return parse_catalog(_read("catalogs/9-17.yaml"))


@pytest.fixture
def catalog_data() -> dict[str, Any]:
    """The 0–8 catalog as plain data, fresh for each test to break as it likes."""
    data: dict[str, Any] = yaml.safe_load(_read("catalogs/0-8.yaml"))
    return data


@pytest.fixture
def levels_data() -> dict[str, Any]:
    """levels.yaml as plain data, fresh for each test."""
    data: dict[str, Any] = yaml.safe_load(_read("levels.yaml"))
    return data


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    """A writable copy of the valid test content root."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


@pytest.fixture(scope="session")
def yaml_text() -> Callable[[Any], str]:
    """Data → YAML text in the files' style (block style, keys in the given order)."""

    def dump(data: Any) -> str:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)

    return dump


@pytest.fixture(scope="session")
def line_of() -> Callable[..., int]:
    """The 1-based line of the first line containing `needle` (after the line with `after`)."""

    def find(text: str, needle: str, *, after: str | None = None) -> int:
        lines = text.splitlines()
        start = 0
        if after is not None:
            [start] = [n for n, line in enumerate(lines) if after in line]
        return next(n for n in range(start, len(lines)) if needle in lines[n]) + 1

    return find
