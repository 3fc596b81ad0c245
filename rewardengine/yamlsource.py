"""YAML with line numbers and without surprises.

The file is *composed* (not constructed) with PyYAML's SafeLoader, then turned into plain
dicts, lists and strings by hand: every scalar stays the string that was written, so
``0.10`` or ``12345678901234567.89`` reach pydantic untouched, and ``null``/``~``/empty
become ``None``. Each node's position is recorded by its path so that a validation error's
``loc`` can be mapped back to ``FILE:LINE:COL``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Problem, Source

MAX_CONTRACT_BYTES = 1_000_000
# An alias may point at a large subtree; expanding nested aliases grows exponentially
# ("billion laughs"). A real contract has a few thousand nodes at most.
MAX_NODES = 200_000

Path = tuple[str | int, ...]

_NULL_TAG = "tag:yaml.org,2002:null"


@dataclass
class YamlDocument:
    data: Any
    file: str
    # path -> (line, col) of the value node, 1-based; for mapping keys also path + ("<key>",)
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def source(self, path: Path) -> Source:
        """The closest recorded position for ``path`` (walking up to the nearest parent)."""
        p = tuple(path)
        while p:
            if p in self.marks:
                line, col = self.marks[p]
                return Source(self.file, line, col)
            p = p[:-1]
        line, col = self.marks.get((), (1, 1))
        return Source(self.file, line, col)

    def key_source(self, path: Path) -> Source:
        if tuple(path) in self.key_marks:
            line, col = self.key_marks[tuple(path)]
            return Source(self.file, line, col)
        return self.source(path)

    def node(self, path: Path) -> Any:
        """The value at ``path`` (None where the document has none): the one walk of a path
        that contract and cohort messages share."""
        node: Any = self.data
        for part in path:
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return node

    def resolve_loc(self, loc: tuple[Any, ...]) -> Path:
        """Turn a pydantic ``loc`` into a data path, skipping union tags and model names."""
        node = self.data
        path: list[str | int] = []
        for i, part in enumerate(loc):
            if (isinstance(node, dict) and isinstance(part, str) and node.get("kind") == part
                    and i + 1 < len(loc)):
                continue  # the component's union tag (its kind), even if a key is so named
            in_map = isinstance(node, dict) and isinstance(part, str) and part in node
            in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            if in_map or in_list:
                path.append(part)
                node = node[part]
            # anything else is a missing key (the parent is reported) or a union tag such as
            # the component kind, which is skipped so the walk goes on
        return tuple(path)


class _TooManyNodes(Exception):
    pass


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


# libyaml composes ten times faster; the pure-Python loader gives the located message of a
# syntax error, so a text libyaml refuses is composed again by it (which also decides)
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


# a contract is a few levels deep; the limit keeps the conversion within Python's recursion
# limit, and ahead of libyaml's own limit where it has one, so every build says the same
MAX_DEPTH = 200

_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _too_deep(text: str, file: str, loader: Any) -> Problem | None:
    """The node past ``MAX_DEPTH`` levels, found from the parser's events before composing.

    Composing is recursive: some libyaml builds compose any depth and overflow the C stack
    (a crash, not an error), and the pure loader takes time quadratic in the depth. The
    parser is a state machine, and its events are read only up to the level past the limit.
    A syntax error is left to the composer, which locates it.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    line, col = _event_mark(event)
                    return Problem("Y002", "YAML nested too deeply", Source(file, line, col))
            elif isinstance(event, _CLOSE):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):
            # libyaml's own limit, where it has one, fires as its scanner reads ahead, past
            # the level this limit names: the pure parser locates that level (its look-ahead
            # is bounded by YAML's 1,024 characters of a simple key, so this stays quick)
            if loader is not yaml.SafeLoader:
                found = _too_deep(text, file, yaml.SafeLoader)
                if found is not None:
                    return found
            line, col = _event_mark(exc)
            return Problem("Y002", "YAML nested too deeply", Source(file, line, col))
    except (yaml.YAMLError, RecursionError, ValueError):
        pass
    return None


def _event_mark(item: Any) -> tuple[int, int]:
    mark = getattr(item, "start_mark", None) or getattr(item, "problem_mark", None)
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


# the parts left open that the parser names where they start: a bracket, a quote, a key
_OPENED = ("flow sequence", "flow mapping", "quoted scalar", "simple key")


def _started(exc: yaml.MarkedYAMLError) -> str:
    """Where the part the parser was reading began, when that is on an earlier line than
    the problem: a parser notices an unclosed ``[`` or a missing ``:`` only on the next
    line, so the line to mend is the one this names."""
    start, at = exc.context_mark, exc.problem_mark
    if not exc.problem or not exc.context or start is None or at is None \
            or start.line >= at.line or not any(w in exc.context for w in _OPENED):
        return ""  # a block mapping "starts" where the document does: no line to name
    return f" ({exc.context} that starts at line {start.line + 1}, column {start.column + 1})"


def _colon_missing(text: str, line: int, column: int) -> str:
    """A key written without its ':' runs on into the next line as one text, and the parser
    stops only at that line's first ':'; the line before, at the same indent or less (a
    parent key, a list item's first key), with no ':', is then named (``line``, ``column``:
    the problem's, from 0). Not where that line goes on with a value begun above it
    (``title: Pilot`` over a second line), nor at a second ': ' of one line."""
    lines = text.splitlines()
    if not 0 < line < len(lines) or lines[line].find(":") != column:
        return ""
    here = lines[line]
    before = _line_above(lines, line)
    if before is None:
        return ""
    prev = lines[before]
    indent = len(here) - len(here.lstrip(" "))
    written = prev.strip()[2:] if prev.lstrip().startswith("- ") else prev.strip()
    if len(prev) - len(prev.lstrip(" ")) > indent or ":" in written \
            or _goes_on_a_value(lines, before):
        return ""
    return f" (line {before + 1} has no ':': is one missing there?)"


def _misaligned(line: int, column: int) -> str:
    """In words, the parser's "expected <block end>, but found '<block mapping start>'" (or
    sequence): a key or list item at an indent its neighbours do not share (from 0)."""
    spaces = "1 space" if column == 1 else f"{column} spaces"
    return (f"line {line + 1} is indented by {spaces}, which does not line up with the keys "
            "or list items it goes with: the keys of one mapping, and the '-' of one list's "
            "items, start in the same column")


def _item_among_keys(line: int, column: int) -> str:
    return (f"line {line + 1} starts a list item ('-') in the column of a mapping's keys: "
            "line its '-' up with the items of its list, or, for a key's list, write the "
            "items under 'key:', indented")


def _key_among_items(line: int, column: int) -> str:
    return (f"line {line + 1} is a key among the items of a list: begin it with '- ' as an "
            "item of its own, or indent it under an item as one of its keys")


# the parser's words for a line at the wrong indent, and what they mean
_MISPLACED: dict[str, Callable[[int, int], str]] = {
    "expected <block end>, but found '<block mapping start>'": _misaligned,
    "expected <block end>, but found '<block sequence start>'": _misaligned,
    "expected <block end>, but found '-'": _item_among_keys,
    "expected <block end>, but found '?'": _key_among_items,
}


def _line_above(lines: list[str], line: int) -> int | None:
    """The nearest line above ``line`` that holds more than a comment."""
    return next((n for n in range(line - 1, -1, -1)
                 if lines[n].strip() and not lines[n].lstrip().startswith("#")), None)


def _goes_on_a_value(lines: list[str], line: int) -> bool:
    """Whether ``line`` goes on with the value of a key above it, less indented and with its
    value begun on its own line (``title: Pilot``)."""
    indent = len(lines[line]) - len(lines[line].lstrip(" "))
    for n in range(line - 1, -1, -1):
        above = lines[n]
        if not above.strip() or above.lstrip().startswith("#"):
            continue
        if len(above) - len(above.lstrip(" ")) < indent:
            _, colon, value = above.partition(": ")
            return bool(colon) and bool(value.strip()) and not value.lstrip().startswith("#")
    return False


def _compose(text: str, file: str) -> tuple[yaml.Node | None, Problem | None]:
    """The YAML node tree (no objects constructed), or the syntax problem."""
    deep = _too_deep(text, file, _FAST_LOADER or yaml.SafeLoader)
    if deep is not None:
        return None, deep
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER), None
        except (yaml.YAMLError, RecursionError, ValueError):
            pass
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = (exc.problem or exc.context or "invalid YAML") + _started(exc)
        if exc.problem == "mapping values are not allowed here" and mark is not None:
            what += _colon_missing(text, mark.line, mark.column)
        found = _MISPLACED.get(exc.problem or "")
        if found is not None and mark is not None:
            what = found(mark.line, mark.column) + f" (the parser: {what})"
        if "'\\t'" in what:  # an editor's tab: YAML indents with spaces only
            what += " (YAML indents with spaces, not tabs: replace the tab with spaces)"
        return None, Problem("Y001", f"YAML syntax error: {what}", Source(file, line, col))
    except yaml.reader.ReaderError as exc:
        # a character YAML does not allow (NUL, other control characters): point at it
        before = text[:exc.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, int) else 0
        return None, Problem("Y001", f"YAML syntax error: unacceptable character "
                             f"#x{char:04x}: {exc.reason}", Source(file, line, col))
    except yaml.YAMLError as exc:
        return None, Problem("Y001", f"YAML syntax error: {exc}", Source(file, 1, 1))
    except RecursionError:
        return None, Problem("Y002", "YAML nested too deeply", Source(file, 1, 1))


class _Converter:
    """Nodes to plain dicts, lists and strings, recording where each value was written."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.count = 0
        self.problems: list[Problem] = []

    def convert(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooManyNodes
        self.doc.marks.setdefault(path, _mark(node))
        if isinstance(node, yaml.ScalarNode):
            return None if node.tag == _NULL_TAG else str(node.value)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        raise AssertionError(f"unknown YAML node {type(node).__name__}")  # pragma: no cover

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        file = self.doc.file
        for key_node, value_node in node.value:
            where = Source(file, *_mark(key_node))
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem("Y004", "a mapping key must be a plain word", where))
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(Problem(
                    "Y004", "merge keys (<<) are not supported; write the keys out", where))
                continue
            key = str(key_node.value)
            if key in out:
                self.problems.append(Problem("Y005", f"duplicate key '{key}'", where))
                continue
            self.doc.key_marks[(*path, key)] = _mark(key_node)
            out[key] = self.convert(value_node, (*path, key))
        return out


def parse_yaml(text: str, file: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Compose ``text`` and convert it; problems instead of exceptions."""
    root, problem = _compose(text, file)
    if problem is not None:
        return None, [problem]
    if root is None:
        return None, [Problem("Y003", "the file is empty", Source(file, 1, 1))]
    doc = YamlDocument(data=None, file=file)
    converter = _Converter(doc)
    try:
        doc.data = converter.convert(root, ())
    except _TooManyNodes:
        return None, [
            Problem("Y006", f"the document expands to more than {MAX_NODES} nodes "
                    "(aliases nested too deep?)", Source(file, 1, 1))
        ]
    except RecursionError:
        return None, [Problem("Y002", "YAML nested too deeply", Source(file, 1, 1))]
    return doc, converter.problems


def read_bytes(path: str, limit: int) -> tuple[bytes | None, Problem | None]:
    """Read a file within a size limit; an unreadable file is a problem, not a crash."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        return None, Problem("F001", f"cannot read file: {exc.strerror or exc}", Source(path))
    if len(raw) > limit:
        return None, Problem("F002", f"file is larger than the limit of {limit} bytes",
                             Source(path))
    return raw, None


def decode_utf8(raw: bytes, path: str) -> tuple[str | None, Problem | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        # a Parquet event file given where YAML is read (the contract left out, say)
        what = "; it is a Parquet file (events?), not YAML" if raw.startswith(b"PAR1") else ""
        return None, Problem("F003", f"file is not UTF-8 (byte {exc.start}){what}",
                             Source(path))
