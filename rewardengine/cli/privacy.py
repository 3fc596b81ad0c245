"""``pseudonymize``: event files and bills with keyed pseudonyms instead of customer ids, so
buyer and provider exchange data without raw identities; ``--check`` looks for ids that still
look personal. The key is read from its file and never printed."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated, BinaryIO

import typer

from ..api import Dialect, PrivacyError, pseudonymize_file, read_pseudonym_key
from ..errors import EXIT_OK, EXIT_PROBLEMS, Problem, has_errors
from .common import (
    DateFormatOpt,
    DecimalCommaOpt,
    DelimiterOpt,
    DialectOpt,
    EncodingOpt,
    PendingOutput,
    check_output,
    each_bill_once,
    each_once,
    err,
    exit_code,
    fail,
    file_dialect,
    prepare_stream,
    same_file,
)
from .report import print_problems

Inputs = list[tuple[str, bool]]  # (path, is a bill)


def pseudonymize(
    events: Annotated[list[str] | None, typer.Argument(
        help="event files (CSV, JSON Lines or Parquet)", metavar="[EVENTS]...",
        callback=each_once)] = None,
    bills: Annotated[list[str] | None, typer.Option(
        "--bill", help="a bill (CSV or JSON) to pseudonymize too (repeatable)",
        callback=each_bill_once)] = None,
    key_file: Annotated[str | None, typer.Option(
        "--key-file", help="the shared secret: a file of at least 32 random bytes")] = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="the output file (one input), or an existing folder: one "
        "file of the same name per input")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="write nothing; list customer ids, event ids and evidence ids "
        "that still look personal (exit 1 if any)")] = False,
    mapping: Annotated[list[str] | None, typer.Option(
        "--map", help="a bill's customer column under another name: customer=COLUMN")] = None,
    dialect: DialectOpt = None,
    delimiter: DelimiterOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Replace customer ids with keyed pseudonyms (HMAC-SHA256), the same in every file."""
    inputs: Inputs = [(p, False) for p in events or []] + [(p, True) for p in bills or []]
    if not inputs:
        fail("give at least one event file or --bill FILE")
    both = next((b for b in bills or [] if any(same_file(b, e) for e in events or [])), None)
    if both is not None:
        fail(f"{both} is given as an event file and as a --bill: give it once, as what it is")
    read_as = file_dialect(dialect, delimiter, decimal_comma, date_format, encoding)
    if check:
        _check(inputs, mapping, read_as)
    if key_file is None:
        fail("give --key-file KEYFILE (the secret shared with the other party), or --check")
    if output is None:
        fail("give -o OUT: a file for one input, or an existing folder")
    targets = _targets(inputs, output, key_file)
    try:
        key = read_pseudonym_key(key_file)
    except PrivacyError as exc:
        fail(str(exc))
    _write(inputs, targets, key, mapping, read_as)


def _check(inputs: Inputs, mapping: list[str] | None, read_as: Dialect) -> None:
    problems = _each(inputs, lambda path, bill: pseudonymize_file(
        path, None, key=None, bill=bill, mapping=mapping, dialect=read_as))
    print_problems(err(), problems)
    looks = [p for p in problems if p.code in ("E015", "E016", "E020")]
    code = exit_code(problems, _unreadable(problems))
    if code == EXIT_OK and looks:
        code = EXIT_PROBLEMS
    if code == EXIT_OK:
        err().print(f"ok: no customer id, event id or evidence id looks personal in "
                    f"{len(inputs)} file(s)", markup=False)
    raise typer.Exit(code)


def _write(inputs: Inputs, targets: list[str], key: bytes, mapping: list[str] | None,
           read_as: Dialect) -> None:
    """Every output written aside; all put in place only when every input was read."""
    problems: list[Problem] = []
    pending: list[PendingOutput] = []
    # the event files' ids (they come first), for the bills; None: the run has no event
    # files, so a bill's problems cannot be told whose ids they name
    known: dict[str, set[str]] | None = {} if any(not bill for _, bill in inputs) else None
    for (path, bill), target in zip(inputs, targets, strict=True):
        def write(fh: BinaryIO, path: str = path, bill: bool = bill) -> None:
            problems.extend(_each([(path, bill)], lambda p, b: pseudonymize_file(
                p, fh, key=key, bill=b, mapping=mapping, dialect=read_as, known=known)))
        pending.append(prepare_stream(write, target))
    print_problems(err(), problems)
    if has_errors(problems):
        for step in pending:
            step.discard()
        fail("nothing was written", exit_code(problems, _unreadable(problems)))
    for step in pending:
        step()
    err().print(f"pseudonymized {len(inputs)} file(s): {', '.join(targets)}", markup=False)


def _each(inputs: Inputs, run: Callable[[str, bool], list[Problem]]) -> list[Problem]:
    out: list[Problem] = []
    for path, bill in inputs:
        try:
            out.extend(run(path, bill))
        except PrivacyError as exc:
            fail(str(exc))
    return out


def _unreadable(problems: list[Problem]) -> bool:
    return any(p.code in ("F001", "F003", "F004", "B005") for p in problems)


def _targets(inputs: Inputs, output: str, key_file: str) -> list[str]:
    """One output per input: ``output`` itself for one input, or a file of the input's name
    in the folder ``output``. Never an input or the key file."""
    paths = [p for p, _ in inputs]
    if os.path.isdir(output):
        targets = [os.path.join(output, os.path.basename(p)) for p in paths]
        if len(set(targets)) < len(targets):
            fail(f"-o {output}: two inputs have the same file name; give them separate "
                 "folders")
    elif output.endswith(("/", os.sep)) or (len(paths) > 1 and not os.path.exists(output)):
        fail(f"-o {output}: the folder does not exist; make it first (with several inputs, "
             "-o is an existing folder; with one, it may be a file name)")
    elif len(paths) > 1:
        fail(f"-o {output}: with several inputs, -o is an existing folder")
    else:
        targets = [output]
    for target in targets:
        for other, what in [*((p, "the input") for p in paths), (key_file, "the key file")]:
            if _same(target, other):
                fail(f"-o {target} is {what} {other}: an output never overwrites an "
                     "input; give another folder")
        check_output(target)
    return targets


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def register(app: typer.Typer) -> None:
    app.command()(pseudonymize)
