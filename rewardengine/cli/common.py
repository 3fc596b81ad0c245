"""What several commands share, declared once: arguments, options, consoles, exits, output.

Every command parses its arguments, calls the library (``rewardengine.api``) and renders the
result; nothing here computes money.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, BinaryIO, NoReturn

import typer
from pydantic_core import PydanticCustomError
from rich.console import Console

from ..api import Dialect, DialectError, make_dialect
from ..errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Problem, has_errors
from ..values import parse_date
from .report import print_problems

# --- arguments and options shared by several commands --------------------------------------

# what an event file's name ends with; a contract is YAML
_EVENT_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")


def a_contract(path: str) -> str:
    """The contract argument, refused as a usage error where it is plainly an event file
    (by its name, or a first line naming event_id): the contract comes first, then the
    events (swapped, every row of the events was a YAML error and the contract a C100)."""
    named = path.lower().endswith(_EVENT_SUFFIXES)
    if named or _starts_like_events(path):
        why = "its name" if named else "its first line"
        raise typer.BadParameter(f"{path} looks like an event file ({why}): give the contract "
                                 "(YAML) first, then the event files")
    return path


def _starts_like_events(path: str) -> bool:
    """Whether a file's first line that is not a YAML comment is an event file's header
    (cells, one of them event_id, and no YAML key); a pipe is not read here (it could be
    read only once)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as f:
            head = f.read(4096).lstrip(b"\xef\xbb\xbf").splitlines()
    except OSError:
        return False  # the reader tells what is wrong with it
    first = next((line for line in head if line.strip() and not line.lstrip().startswith(b"#")),
                 b"")
    cells = first.replace(b";", b",").replace(b"\t", b",").split(b",")
    return (b":" not in first and len(cells) > 1
            and any(c.strip(b' "\r') == b"event_id" for c in cells))


ContractArg = Annotated[str, typer.Argument(help="contract YAML file", metavar="CONTRACT",
                                            callback=a_contract)]


def each_once(paths: list[str] | None) -> list[str] | None:
    """The event files, each given once: a file given twice (also by another path to it)
    would be read twice, every row of it a repeat (E007 for each)."""
    return _once(paths, "event file")


def each_bill_once(paths: list[str] | None) -> list[str] | None:
    """The bills, each given once (a bill given twice would be written twice)."""
    return _once(paths, "bill")


def _once(paths: list[str] | None, what: str) -> list[str] | None:
    given = [p for p in paths or [] if os.path.exists(p)]  # the reader tells one not there
    for n, path in enumerate(given):
        first = next((p for p in given[:n] if same_file(p, path)), None)
        if first is not None:
            also = "" if first == path else f" (also as {first})"
            raise typer.BadParameter(f"the {what} {path} is given twice{also}: give each "
                                     f"{what} once")
    return paths


EventsArg = Annotated[list[str], typer.Argument(help="event files (CSV, JSON Lines or Parquet)",
                                                metavar="EVENTS...", callback=each_once)]
AsOfOpt = Annotated[str, typer.Option(
    "--as-of", help="evaluate with the facts recorded by this date (YYYY-MM-DD)")]
CustomersOpt = Annotated[list[str] | None, typer.Option(
    "--customer", help="only this customer (repeatable)")]
PeriodOpt = Annotated[str | None, typer.Option(
    "--period", help="a month YYYY-MM or a quarter YYYY-Qn")]
FromOpt = Annotated[str | None, typer.Option("--from", help="first day YYYY-MM-DD")]
ToOpt = Annotated[str | None, typer.Option("--to", help="last day YYYY-MM-DD (inclusive)")]
ProviderOpt = Annotated[str | None, typer.Option(
    "--provider", help="the provider to invoice (needed when the contract has several)")]
JointOpt = Annotated[bool, typer.Option(
    "--joint", help="one joint invoice for the consortium, a section per member")]
OutputOpt = Annotated[str | None, typer.Option(
    "--output", "-o", help="write to this file (written whole or not at all)")]
# how the files are written (see docs/events.md#file-dialects); none given: plain UTF-8 CSV
DialectOpt = Annotated[str | None, typer.Option(
    "--dialect", help="fi: ';' between cells, decimal comma, d.m.yyyy dates",
    rich_help_panel="File dialect")]
DelimiterOpt = Annotated[str | None, typer.Option(
    "--delimiter", help="the CSV cell delimiter: ',' ';' '|' or tab",
    rich_help_panel="File dialect")]
DecimalCommaOpt = Annotated[bool, typer.Option(
    "--decimal-comma", help="numbers are written 1234,50", rich_help_panel="File dialect")]
DateFormatOpt = Annotated[str | None, typer.Option(
    "--date-format", help="yyyy-mm-dd (the default) or d.m.yyyy",
    rich_help_panel="File dialect")]
EncodingOpt = Annotated[str | None, typer.Option(
    "--encoding", help="the files' text encoding when not UTF-8, e.g. cp1252",
    rich_help_panel="File dialect")]

# how many processes share the work; the output is the same bytes for any number
JobsOpt = Annotated[int, typer.Option(
    "--jobs", "-j", min=1, max=256, help="processes to spread the customers over (same "
    "output for any number)")]

DEFAULT_LEDGER = "ledger.sqlite"


class ProblemFormat(StrEnum):
    text = "text"
    json = "json"


# --- consoles and exits ----------------------------------------------------------------------

def out() -> Console:
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160,
                   highlight=False)


def err() -> Console:
    return Console(stderr=True, soft_wrap=True, highlight=False)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Say what is wrong on stderr and stop with ``code`` (2: a usage error by default)."""
    err().print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def exit_code(problems: Sequence[Problem], unreadable: bool) -> int:
    if unreadable:
        return EXIT_USAGE
    return EXIT_PROBLEMS if has_errors(list(problems)) else EXIT_OK


def report_problems(problems: Sequence[Problem], unreadable: bool, ok: bool) -> None:
    """Print every problem; stop (exit 1, or 2 for an unreadable file) unless ``ok``."""
    if problems:
        print_problems(err(), list(problems))
    if not ok:
        raise typer.Exit(exit_code(problems, unreadable) or EXIT_PROBLEMS)


def file_dialect(name: str | None, delimiter: str | None, decimal_comma: bool,
                 date_format: str | None, encoding: str | None) -> Dialect:
    """The dialect options as one value (a wrong one is a usage error)."""
    try:
        return make_dialect(name, encoding=encoding, delimiter=delimiter,
                            decimal_comma=decimal_comma, date_format=date_format)
    except DialectError as exc:
        fail(str(exc))


def ledger_path(value: str | None) -> str | None:
    """The ``--ledger`` path as given (None: not given); an empty one (an unset variable in
    a script) is a usage error, never "no ledger": read as none, a bill already invoiced
    would pass."""
    if value is not None and not value.strip():
        raise typer.BadParameter("an empty path: give the ledger's file name")
    return value


def cli_date(value: str, option: str) -> date:
    try:
        return parse_date(value)
    except PydanticCustomError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


# --- output files ----------------------------------------------------------------------------

_SQLITE_MAGIC = b"SQLite format 3\x00"
# the first bytes of SQLite's write-ahead log (either byte order of its checksums) and of
# its rollback journal: a ledger's files beside it
_SQLITE_JOURNALS = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83",
                    b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7",
                    # its shared-memory index (iVersion 3007000, little- or big-endian)
                    b"\x18\xe2\x2d\x00", b"\x00\x2d\xe2\x18")


def _head(path: str) -> bytes:
    """The first bytes of a regular file at ``path`` (none of anything else: a pipe is never
    opened, as it would wait for a writer)."""
    if not os.path.isfile(path):
        return b""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(_SQLITE_MAGIC))
    except OSError:
        return b""


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (by their real paths where one is not there)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def is_stream(path: str) -> bool:
    """Whether ``path`` names (through any links) a device, a pipe or a terminal
    (``/dev/null``, ``/dev/stdout``, a named pipe): written straight through, never
    replaced by a file, and never read to see what it is."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def check_output(path: str | None, protect: Sequence[str] = (), inputs: Sequence[str] = (),
                 option: str = "--output") -> None:
    """Refuse, before any work, an output path that cannot or must not be written: a folder,
    a missing folder, one of ``protect`` (the ledger, by identity, not by name), one of the
    command's ``inputs`` (its contract, events, cohort: an output never overwrites what it is
    made from), or any SQLite file or journal (a ledger is never overwritten by an output).
    A device, pipe or terminal is written through (``is_stream``): nothing to protect.
    ``option``: the option that names the path, as the message says it."""
    if path is None:
        return
    if os.path.isdir(path):
        fail(f"{option} {path}: is a folder; give a file name")
    if path.endswith(("/", os.sep)):  # a folder meant, and none there: never a file so named
        fail(f"{option} {path}: no such folder, and an output is a file; give a file name")
    if is_stream(path):
        return
    parent = os.path.dirname(os.path.realpath(path))  # a link's file is the one written
    if os.path.exists(parent) and not os.path.isdir(parent):
        fail(f"{option} {path}: {parent} is a file, not a folder")
    if not os.path.isdir(parent):
        fail(f"{option} {path}: the folder {parent} does not exist")
    _not_the_ledger(path, protect, option)
    for other in inputs:
        if same_file(path, other):
            fail(f"{option} {path} is an input of this command ({other}): an output never "
                 "overwrites what it is made from; give another file")
    _not_a_database(path, option)


def _not_the_ledger(path: str, protect: Sequence[str], option: str) -> None:
    for other in protect:
        if same_file(path, other):
            fail(f"{option} {path} is the ledger {other}: an output never overwrites the "
                 "ledger; give another file")
        for part in ("-wal", "-shm", "-journal"):  # SQLite's files beside it are the ledger too
            if same_file(path, other + part):
                fail(f"{option} {path} is part of the ledger {other} (its {part[1:]} file): "
                     "an output never overwrites the ledger; give another file")


def _not_a_database(path: str, option: str) -> None:
    """Any SQLite database, journal or index, or a file named as one beside a database."""
    head = _head(path)
    if head == _SQLITE_MAGIC:
        fail(f"{option} {path} is a SQLite database (a ledger?); it is not overwritten")
    if head.startswith(_SQLITE_JOURNALS):
        fail(f"{option} {path} is a SQLite journal (a ledger's?); it is not overwritten")
    for part in ("-wal", "-shm", "-journal"):  # named as a database's, beside one
        if path.endswith(part) and _head(path[:-len(part)]) == _SQLITE_MAGIC:
            fail(f"{option} {path} is named as a file of the SQLite database "
                 f"{path[:-len(part)]} (a ledger?) beside it; it is not written")


def check_outputs(named: Sequence[tuple[str, str | None]], inputs: Sequence[str] = ()
                  ) -> None:
    """``check_output`` of each (option, path), and no two options naming one file."""
    for option, path in named:
        check_output(path, inputs=inputs, option=option)
    # two outputs may go to one device or pipe (/dev/null): only files are replaced
    given = [(option, path) for option, path in named
             if path is not None and not is_stream(path)]
    for i, (a, first) in enumerate(given):
        for b, second in given[i + 1:]:
            if same_file(first, second):
                fail(f"{a} and {b} name the same file ({second}): give each its own")


def prepare_output(text: str, path: str | None, option: str = "--output"
                   ) -> Callable[[], None]:
    """Write ``text`` to a temporary file beside ``path``; return the step that puts it in
    place (an atomic rename). Nothing is left behind when writing fails (exit 2, the message
    naming ``option``)."""
    if path is None:
        return lambda: _stdout(text)
    return prepare_stream(lambda fh: fh.write(text.encode("utf-8")), path, option)


@dataclass(frozen=True)
class PendingOutput:
    """An output written aside: calling it puts it in place (an atomic rename of the file a
    path names, through any links; a device, pipe or terminal is given the bytes then);
    ``discard`` removes it when what it shows was not recorded after all."""

    tmp: str
    path: str  # as given, as messages name it
    option: str = "--output"  # the option naming the path, as a message says it
    target: str = ""  # the file replaced: ``path`` through its links
    through: bool = False  # ``path`` is a device, pipe or terminal (``is_stream``)

    def __call__(self) -> None:
        try:
            if self.through:
                with open(self.tmp, "rb") as held, open(self.path, "wb") as stream:
                    shutil.copyfileobj(held, stream)
                _remove(self.tmp)
            else:
                os.replace(self.tmp, self.target or self.path)
        except OSError as exc:
            _remove(self.tmp)
            fail(f"{self.option} {self.path}: cannot write ({exc.strerror or exc})")

    def discard(self) -> None:
        _remove(self.tmp)


def prepare_stream(write: Callable[[BinaryIO], object], path: str, option: str = "--output"
                   ) -> PendingOutput:
    """Let ``write`` stream bytes into a temporary file beside ``path`` (beside the file it
    names through links; in the temporary folder for a device, pipe or terminal, which is
    never replaced by a file), to be put in place later. If ``write`` raises, nothing is
    left behind and the exception goes on."""
    through = is_stream(path)
    target = "" if through else os.path.realpath(path)
    folder = None if through else os.path.dirname(target)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rewardengine-", suffix=".tmp", dir=folder)
        os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's 0600
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        if tmp is not None:
            _remove(tmp)
        fail(f"{option} {path}: cannot write ({exc.strerror or exc})")
    except BaseException:
        if tmp is not None:
            _remove(tmp)
        raise
    return PendingOutput(tmp, path, option, target, through)


def write_output(text: str, path: str | None, option: str = "--output") -> None:
    prepare_output(text, path, option)()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _stdout(text: str) -> None:
    sys.stdout.write(text)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


# --provider as a selection (evaluate, forecast): one consortium member's customers
SelectProviderOpt = Annotated[str | None, typer.Option(
    "--provider", help="only this provider's customers: the provider responsible for the "
    "customer (named on the service start, else the referral)")]
