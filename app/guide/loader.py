"""Reading and writing the guide's YAML files, with problems that name the file, line and key.

Every problem found is reported, not only the first: the YAML is composed into nodes that
remember their lines, turned into plain data (refusing duplicate keys, anchors and aliases),
validated with the models of `app.guide.schema`, and each error is mapped back to the line of
the key or value it concerns.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from app.guide.offers import OfferLadder
from app.guide.schema import (
    MAX_AGE,
    MIN_AGE,
    RULE_ERROR,
    STORED_BEFORE_SOURCES,
    Catalog,
    CatalogSetProblem,
    Guide,
    LevelsConfig,
    Loc,
    check_catalog_set,
)

LEVELS_FILE = "levels.yaml"
OFFERS_FILE = "offers.yaml"
CATALOGS_DIR = "catalogs"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"
_KEY_TAGS = frozenset({_STR_TAG, "tag:yaml.org,2002:int"})
_CATALOG_KEYS = "id, version, title, areas"
_LEVELS_KEYS = "actions, levels, critical_guidance, acute_guidance"
_OFFERS_KEYS = "version, title, sources, offers"

_Model = TypeVar("_Model", bound=BaseModel)


@dataclass(frozen=True)
class ContentIssue:
    """One problem in a content file: where it is and what is wrong."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def to_detail(self) -> dict[str, Any]:
        """The issue as api.md's error detail: {"line", "path", "message"}."""
        return {"line": self.line, "path": self.path, "message": self.message}


class ContentError(Exception):
    """Content that cannot be used; `issues` lists every problem found."""

    def __init__(self, issues: Sequence[ContentIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


def format_path(loc: Loc) -> str:
    """('areas', 2, 'indicators', 5, 'level') → 'areas[2].indicators[5].level'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


# --- YAML with lines ---------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors and aliases (the format has none)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None,
                None,
                "YAML-ankre og -aliaser (&navn, *navn) er ikke tilladt",
                event.start_mark,
            )
        return super().compose_node(parent, index)


@dataclass
class _Source:
    """One file's data with the line of every key and value in it."""

    file: str
    data: Any = None
    values: dict[Loc, int] = field(default_factory=dict)
    keys: dict[Loc, int] = field(default_factory=dict)
    issues: list[ContentIssue] = field(default_factory=list)

    def line(self, loc: Loc) -> int | None:
        """The line of `loc`'s key (or of its value, for list items and the whole file); for a
        key that is missing, the line of the nearest enclosing one."""
        for end in range(len(loc), 0, -1):
            line = self.keys.get(loc[:end], self.values.get(loc[:end]))
            if line is not None:
                return line
        return self.values.get(())

    def issue(self, loc: Loc, message: str, *, line_of: Loc | None = None) -> None:
        """Record a problem at `loc`, on the line of `line_of` (default: `loc` itself)."""
        line = self.line(loc if line_of is None else line_of)
        self.issues.append(ContentIssue(self.file, line, format_path(loc), message))

    def read(self, text: str) -> Any:
        """The YAML document as plain data; None (with an issue) when it cannot be read."""
        try:
            node = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = None if mark is None else mark.line + 1
            problem = exc.problem or exc.context or "ukendt fejl"
            self.issues.append(ContentIssue(self.file, line, "", f"ugyldig YAML: {problem}"))
            return None
        except yaml.reader.ReaderError as exc:
            line = text.count("\n", 0, exc.position) + 1
            self.issues.append(
                ContentIssue(self.file, line, "", f"ugyldigt tegn i filen: {exc.reason}")
            )
            return None
        if node is None:
            self.issues.append(ContentIssue(self.file, None, "", "filen er tom"))
            return None
        return self._data(node, (), yaml.constructor.SafeConstructor())

    def _data(
        self, node: yaml.Node, loc: Loc, constructor: yaml.constructor.SafeConstructor
    ) -> Any:
        line = node.start_mark.line + 1
        self.values[loc] = line
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if node.tag not in (_MAP_TAG, _SEQ_TAG):
                self.issue(loc, f"YAML-tagget {node.tag} er ikke tilladt")
                return None
            if isinstance(node, yaml.SequenceNode):
                return [
                    self._data(item, (*loc, i), constructor) for i, item in enumerate(node.value)
                ]
            return self._mapping(node, loc, constructor)
        try:
            return constructor.construct_object(node)
        except (yaml.constructor.ConstructorError, ValueError):
            self.issue(loc, f"værdien '{node.value}' kan ikke læses (YAML-typen {node.tag})")
            return None

    def _mapping(
        self, node: yaml.MappingNode, loc: Loc, constructor: yaml.constructor.SafeConstructor
    ) -> dict[Any, Any]:
        data: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _KEY_TAGS:
                self.issues.append(
                    ContentIssue(
                        self.file,
                        key_line,
                        format_path(loc),
                        "en nøgle skal være et ord (som title) eller et helt tal",
                    )
                )
                continue
            key: str | int = constructor.construct_object(key_node)
            if key in data:
                self.issues.append(
                    ContentIssue(
                        self.file,
                        key_line,
                        format_path((*loc, key)),
                        f"nøglen '{key}' står to gange i samme afsnit "
                        f"(første gang i linje {self.keys[(*loc, key)]})",
                    )
                )
                continue
            self.keys[(*loc, key)] = key_line
            data[key] = self._data(value_node, (*loc, key), constructor)
        return data


def _validation_issues(source: _Source, exc: ValidationError) -> None:
    for error in exc.errors():
        loc: Loc = tuple(error["loc"])
        if error["type"] == RULE_ERROR:
            for relative, message in error["ctx"]["problems"]:
                source.issue((*loc, *relative), message)
        elif loc and loc[-1] == "[key]":
            source.issue(loc[:-1], error["msg"])
        else:
            _pydantic_issue(source, loc, error)


def _pydantic_issue(source: _Source, loc: Loc, error: ErrorDetails) -> None:
    if error["type"] == "missing":
        source.issue(loc, f"nøglen '{loc[-1]}' mangler", line_of=loc[:-1])
    elif error["type"] == "extra_forbidden":
        source.issue(loc, f"ukendt nøgle '{loc[-1]}'")
    else:
        source.issue(loc, error["msg"])


def _parse(
    model: type[_Model], text: str, filename: str, keys: str, *, stored: bool = False
) -> tuple[_Model | None, _Source]:
    source = _Source(filename)
    data = source.data = source.read(text)
    result: _Model | None = None
    if data is not None and not isinstance(data, dict):
        source.issue(
            (), f"filen skal bestå af nøgler og værdier ({keys} …), ikke en liste eller tekst"
        )
    elif data is not None:
        try:
            result = model.model_validate(data, context={STORED_BEFORE_SOURCES: stored})
        except ValidationError as exc:
            _validation_issues(source, exc)
    source.issues.sort(key=lambda issue: (issue.line is None, issue.line or 0))
    return (None, source) if source.issues else (result, source)


def parse_catalog(text: str, *, filename: str = "<yaml>", stored: bool = False) -> Catalog:
    """A catalog from the text of a catalog file; ContentError lists every problem.

    `stored` is for a version already in the database: one stored before catalogs had
    `sources` is read with none (it never changes); files and drafts must name them."""
    catalog, source = _parse(Catalog, text, filename, _CATALOG_KEYS, stored=stored)
    if catalog is None:
        raise ContentError(source.issues)
    return catalog


def parse_levels(text: str, *, filename: str = LEVELS_FILE) -> LevelsConfig:
    """The levels and actions from the text of levels.yaml; ContentError lists every problem."""
    levels, source = _parse(LevelsConfig, text, filename, _LEVELS_KEYS)
    if levels is None:
        raise ContentError(source.issues)
    return levels


def parse_offers(text: str, *, filename: str = OFFERS_FILE) -> OfferLadder:
    """The municipality's offers from the text of offers.yaml; ContentError lists every
    problem (with its line)."""
    offers, source = _parse(OfferLadder, text, filename, _OFFERS_KEYS)
    if offers is None:
        raise ContentError(source.issues)
    return offers


def load_offers(root: Path) -> OfferLadder:
    """``root/offers.yaml``; ContentError when it is missing or has problems."""
    offers, source = _parse_file(OfferLadder, root / OFFERS_FILE, OFFERS_FILE, _OFFERS_KEYS)
    if offers is None:
        raise ContentError(source.issues)
    return offers


# --- files -------------------------------------------------------------------------------------


def _read_text(path: Path, shown: str) -> str | ContentIssue:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ContentIssue(shown, None, "", "filen er ikke gemt som UTF-8")
    except OSError as exc:
        return ContentIssue(shown, None, "", f"filen kan ikke læses: {exc.strerror}")


def _parse_file(
    model: type[_Model], path: Path, shown: str, keys: str
) -> tuple[_Model | None, _Source]:
    text = _read_text(path, shown)
    if isinstance(text, ContentIssue):
        return None, _Source(shown, issues=[text])
    return _parse(model, text, shown, keys)


def _parse_levels_file(path: Path, shown: str) -> tuple[LevelsConfig | None, _Source]:
    return _parse_file(LevelsConfig, path, shown, _LEVELS_KEYS)


def _parse_catalog_file(path: Path, shown: str) -> tuple[Catalog | None, _Source]:
    return _parse_file(Catalog, path, shown, _CATALOG_KEYS)


def _load_root(root: Path, shown_root: Path | None) -> tuple[Guide | None, list[ContentIssue]]:
    def shown(relative: str) -> str:
        return relative if shown_root is None else (shown_root / relative).as_posix()

    issues: list[ContentIssue] = []
    levels: LevelsConfig | None = None
    levels_path = root / LEVELS_FILE
    if levels_path.exists():
        levels, source = _parse_levels_file(levels_path, shown(LEVELS_FILE))
        issues += source.issues
    else:
        issues.append(
            ContentIssue(
                shown(LEVELS_FILE),
                None,
                "",
                "filen mangler: en indholdsmappe skal have levels.yaml og catalogs/*.yaml",
            )
        )

    parsed: list[tuple[Catalog, _Source]] = []
    unsure: set[int] = set()  # ages a broken catalog may cover
    for path in sorted((root / CATALOGS_DIR).glob("*.yaml")):
        catalog, source = _parse_catalog_file(path, shown(f"{CATALOGS_DIR}/{path.name}"))
        issues += source.issues
        if catalog is None:
            unsure.update(_claimed_ages(source.data))
        else:
            parsed.append((catalog, source))

    offers_path = root / OFFERS_FILE
    if offers_path.exists():  # optional in a content root: no file, no offers
        issues += _parse_file(OfferLadder, offers_path, shown(OFFERS_FILE), _OFFERS_KEYS)[1].issues

    catalogs = [catalog for catalog, _ in parsed]
    sources = [source for _, source in parsed]
    names = [source.file for source in sources]
    for problem in check_catalog_set(catalogs, names=names, also_covered=unsure):
        issues.append(_set_issue(problem, sources, f"{shown(CATALOGS_DIR)}/"))

    if issues or levels is None:
        return None, issues
    ordered = tuple(sorted(catalogs, key=lambda c: (c.min_age_years, c.id)))
    return Guide(levels=levels, catalogs=ordered), issues


def _claimed_ages(data: Any) -> range:
    """The ages a catalog that failed validation says it covers (all, if that is unclear)."""
    if isinstance(data, dict):
        first, last = data.get("min_age_years"), data.get("max_age_years")
        if type(first) is int and type(last) is int:
            return range(first, last + 1)
    return range(MIN_AGE, MAX_AGE + 1)


def _set_issue(problem: CatalogSetProblem, sources: list[_Source], folder: str) -> ContentIssue:
    if problem.catalog_index is None:
        return ContentIssue(folder, None, "", problem.message)
    source = sources[problem.catalog_index]
    return ContentIssue(
        source.file, source.line(problem.path), format_path(problem.path), problem.message
    )


def load_guide(root: Path) -> Guide:
    """The guide in `root` (levels.yaml and catalogs/*.yaml); ContentError lists every problem.

    Catalogs are ordered by age. File names in issues are relative to `root`.
    """
    guide, issues = _load_root(root, None)
    if guide is None:
        raise ContentError(issues)
    return guide


def validate_paths(paths: Sequence[Path]) -> list[ContentIssue]:
    """Every problem in the given content roots, catalog files or levels.yaml files.

    A directory is a content root and is checked as a whole (ages, ids across catalogs);
    a single catalog file is checked on its own.
    """
    issues: list[ContentIssue] = []
    for path in paths:
        shown = path.as_posix()
        if path.is_dir():
            issues += _load_root(path, path)[1]
        elif not path.exists():
            issues.append(ContentIssue(shown, None, "", "filen eller mappen findes ikke"))
        elif path.name == LEVELS_FILE:
            issues += _parse_levels_file(path, shown)[1].issues
        elif path.name == OFFERS_FILE:
            issues += _parse_file(OfferLadder, path, shown, _OFFERS_KEYS)[1].issues
        else:
            issues += _parse_catalog_file(path, shown)[1].issues
    return issues


# --- writing -----------------------------------------------------------------------------------


class _Quoted(str):
    """A string always written in double quotes (the catalog id, like in the files)."""

    __slots__ = ()


class _Prose(str):
    """A description: folded over several lines (`>-`) when long, like in the files."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):
    """YAML in the files' style: 2-space indents, list items indented under their key,
    one line per value except folded prose."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def write_plain(self, text: str, split: bool = True) -> None:
        super().write_plain(text, split=False)

    def write_single_quoted(self, text: str, split: bool = True) -> None:
        super().write_single_quoted(text, split=False)

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        super().write_double_quoted(text, split=False)


_FOLD_AFTER = 72


def _represent_str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(_STR_TAG, value, style="|" if "\n" in value else None)


def _represent_prose(dumper: _Dumper, value: _Prose) -> yaml.ScalarNode:
    if "\n" in value or len(value) <= _FOLD_AFTER:
        return _represent_str(dumper, str(value))
    return dumper.represent_scalar(_STR_TAG, str(value), style=">")


def _represent_quoted(dumper: _Dumper, value: _Quoted) -> yaml.ScalarNode:
    return dumper.represent_scalar(_STR_TAG, str(value), style='"')


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Prose, _represent_prose)
_Dumper.add_representer(_Quoted, _represent_quoted)


def _prose(value: str | None) -> _Prose | None:
    return None if value is None else _Prose(value)


def _optional(key: str, value: object) -> dict[str, object]:
    return {} if value is None else {key: value}


def dump_catalog(catalog: Catalog) -> str:
    """The catalog as YAML, in the format and key order of guide_content/catalogs/*.yaml."""
    data: dict[str, object] = {
        "id": _Quoted(catalog.id),
        "version": catalog.version,
        "title": catalog.title,
        "min_age_years": catalog.min_age_years,
        "max_age_years": catalog.max_age_years,
        **_optional("description", _prose(catalog.description)),
        "sources": list(catalog.sources),
        "thresholds": dict(sorted(catalog.thresholds.items())),
        **_optional("thresholds_reason", _prose(catalog.thresholds_reason)),
        "areas": [
            {
                "id": area.id,
                "title": area.title,
                **_optional("description", _prose(area.description)),
                "indicators": [
                    {
                        "id": indicator.id,
                        "text": indicator.text,
                        "level": indicator.level,
                        **({"critical": True} if indicator.critical else {}),
                        **({"acute": True} if indicator.acute else {}),
                    }
                    for indicator in area.indicators
                ],
            }
            for area in catalog.areas
        ],
    }
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        indent=2,
        width=88,
    )


__all__ = [
    "ContentError",
    "ContentIssue",
    "dump_catalog",
    "format_path",
    "load_guide",
    "parse_catalog",
    "parse_levels",
    "validate_paths",
]
