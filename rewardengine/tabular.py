"""Tabular files as offices export them: text decoding, the cell delimiter, header cells, and
the dates and decimals of a named dialect. Shared by the event reader and the bill reader.

Nothing is guessed: a file is UTF-8 (a byte-order mark allowed) unless its encoding is named,
its delimiter is ``,`` unless it is named or the file's first line says ``sep=;`` (as Excel
writes it), and dates and numbers are ISO dates and decimal points unless a dialect says
otherwise. Lines are read in bounded chunks, so a file without line ends (``/dev/zero``) is
refused after a bounded amount of memory, never read whole.

This module is ground layer: it imports only ``shown`` (how messages echo a value).
"""

from __future__ import annotations

import codecs
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import BinaryIO, Final

from .shown import quoted as quoted

MAX_LINE_CHARS: Final = 1_000_000  # one line of a file
MAX_ROW_CHARS: Final = 1_000_000  # one CSV record (quoted cells may span lines)
MAX_FIELD_CHARS: Final = 10_000  # one cell
MAX_ID_CHARS: Final = 128  # the events models' max_length of event and customer ids
MAX_NUMBER_CHARS: Final = 40  # a number as written: far more than any amount needs
_CHUNK_BYTES: Final = 1 << 19  # at most MAX_LINE_CHARS: a line inside one chunk is short

ISO_DATES, DAY_FIRST_DATES = "yyyy-mm-dd", "d.m.yyyy"
DATE_FORMATS = (ISO_DATES, DAY_FIRST_DATES)
# how a delimiter may be written on the command line
DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t", "|": "|"}


class DialectError(ValueError):
    """Options that do not make a dialect (the message says how to write them)."""


@dataclass(frozen=True, slots=True)
class Dialect:
    """How the tabular files of one run are written. The default reads plain UTF-8 CSV with
    ISO dates and decimal points, exactly as without any option."""

    encoding: str | None = None  # None: UTF-8, with or without a byte-order mark
    delimiter: str | None = None  # None: ',' unless the file's first line is sep=X
    decimal_comma: bool = False
    date_format: str = ISO_DATES

    @property
    def converts(self) -> bool:
        """Cells need converting before they are checked (not in the default path)."""
        return self.decimal_comma or self.date_format != ISO_DATES

    def number(self, text: str, what: str = "number") -> str:
        """A number as the engine reads it (``1 234,50`` -> ``1234.50``); ValueError with the
        reason when it is not written in this dialect (``what``: ``number`` or ``fraction``,
        for the examples it gives)."""
        if not self.decimal_comma:
            return text
        return comma_number(text, what)

    def date(self, text: str) -> str:
        """An ISO date (``1.2.2020`` -> ``2020-02-01``); ValueError when not written so."""
        if self.date_format == ISO_DATES or _ISO_DATE.match(text):
            return text
        return day_first_date(text)


PLAIN = Dialect()
NAMED = {"fi": Dialect(delimiter=";", decimal_comma=True, date_format=DAY_FIRST_DATES)}


def make_dialect(name: str | None = None, *, encoding: str | None = None,
                 delimiter: str | None = None, decimal_comma: bool = False,
                 date_format: str | None = None) -> Dialect:
    """The dialect named (``fi``) refined by the separate options; DialectError if wrong."""
    base = PLAIN
    if name is not None:
        if name.lower() not in NAMED:
            raise DialectError(f"--dialect: unknown dialect '{name[:20]}'; known: "
                               f"{', '.join(NAMED)}")
        base = NAMED[name.lower()]
    changes: dict[str, object] = {}
    if encoding is not None:
        changes["encoding"] = text_encoding(encoding)
    if delimiter is not None:
        if delimiter not in DELIMITERS:
            raise DialectError(f"--delimiter: '{delimiter[:10]}' is not one of "
                               "',' ';' '|' 'tab'")
        changes["delimiter"] = DELIMITERS[delimiter]
    if decimal_comma:
        changes["decimal_comma"] = True
    if date_format is not None:
        if date_format.lower() not in DATE_FORMATS:
            raise DialectError(f"--date-format: '{date_format[:20]}' is not one of "
                               f"{', '.join(DATE_FORMATS)}")
        changes["date_format"] = date_format.lower()
    return replace(base, **changes)  # type: ignore[arg-type]


def text_encoding(name: str) -> str | None:
    """The codec's own name; None for UTF-8 (the default, BOM allowed). Only encodings that
    write ASCII as ASCII: delimiters, quotes and line ends are then the same bytes."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise DialectError(f"--encoding: unknown encoding '{name[:20]}' (e.g. cp1252, "
                           "latin-1, utf-8)") from None
    if info.name in ("utf-8", "utf-8-sig"):
        return None
    probe = "sep=;,\r\n\"0aZ~"
    try:
        ascii_safe = getattr(info, "_is_text_encoding", True) and \
            probe.encode(info.name) == probe.encode("ascii")
    except (UnicodeError, LookupError, TypeError):
        ascii_safe = False
    if not ascii_safe:
        raise DialectError(f"--encoding: {info.name} is not read; give an encoding that "
                           "writes ASCII as ASCII (cp1252, latin-1, iso8859-15, utf-8)")
    return info.name


# --- values of a dialect -----------------------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_DAY_FIRST = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", re.ASCII)
# 1234,50 / 1 234,50 (space, no-break space or narrow no-break space between groups of three)
_COMMA_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:[ \u00a0\u202f_]\d{3})+|\d+)?(?:,(\d+))?$",
                           re.ASCII)
_GROUP_SPACES = re.compile("[ \u00a0\u202f_]")


# how a value is written with a decimal comma, where "12 or 1234,50" would mislead: a
# fraction lies in 0..1, and a percentage is written as one
_COMMA_EXAMPLES = {"fraction": "0,8 or 0,75 (80 % is 0,80)"}


def comma_number(text: str, what: str = "number") -> str:
    """``1 234,50`` -> ``1234.50``; a point, an exponent or another script is refused."""
    m = _COMMA_NUMBER.match(text)
    if m is None or (m.group(2) is None and m.group(3) is None):
        if "." in text:
            raise ValueError(f"{quoted(text)} has a decimal point, but this file's numbers "
                             "are written with a decimal comma (1234,50)")
        raise ValueError(f"{quoted(text)} is not a {what} written like "
                         f"{_COMMA_EXAMPLES.get(what, '12 or 1234,50')}")
    whole = _GROUP_SPACES.sub("", m.group(2) or "0")
    return m.group(1) + whole + (f".{m.group(3)}" if m.group(3) is not None else "")


def day_first_date(text: str) -> str:
    """``1.2.2020`` -> ``2020-02-01``, a real date; ValueError otherwise."""
    m = _DAY_FIRST.match(text)
    if m is None:
        raise ValueError(f"{quoted(text)} is not a date written d.m.yyyy (or YYYY-MM-DD)")
    day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError as exc:
        raise ValueError(f"{quoted(text)} is not a real date ({exc})") from None


# --- header cells and the delimiter -------------------------------------------------------

_SEP_LINE = re.compile(r"^sep=([^\r\n])[^\r\n]*(?:\r\n|\n|\r|$)")


def sep_line(head: str) -> tuple[str | None, int]:
    """Excel's ``sep=;`` first line: (the delimiter it names, its length), or (None, 0)."""
    m = _SEP_LINE.match(head)
    return (m.group(1), m.end()) if m else (None, 0)


def choose_delimiter(dialect: Dialect, said: str | None) -> str:
    """The delimiter: the one given, else the file's ``sep=`` line, else ','. ValueError
    when the file's ``sep=`` line names another than the one given."""
    if said is not None and dialect.delimiter is not None and said != dialect.delimiter:
        raise ValueError(f"the file's first line says sep={said!r} but the delimiter given "
                         f"is {dialect.delimiter!r} (--delimiter or --dialect)")
    return dialect.delimiter or said or ","


def trim_header(cells: list[str]) -> list[str]:
    """Header cells trimmed of spaces; empty cells at the end (Excel's) are dropped."""
    names = [c.strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    return names


_OTHER_DELIMITERS = {";": "';'", "\t": "tab", "|": "'|'", ",": "','"}


def other_delimiter(header: list[str], delimiter: str) -> str | None:
    """The delimiter a header of one cell holds, when it is not ``delimiter``."""
    if len(header) != 1:
        return None
    return next((ch for ch in _OTHER_DELIMITERS if ch != delimiter and ch in header[0]), None)


def delimiter_hint(header: list[str], delimiter: str) -> str | None:
    """When a header is one cell holding another delimiter: what the file looks like and the
    option that reads it (a file is never re-read with a guessed delimiter)."""
    ch = other_delimiter(header, delimiter)
    if ch is None:
        return None
    shown = _OTHER_DELIMITERS[ch]
    fi = " (or --dialect fi)" if ch == ";" else ""
    return (f"the header {quoted(header[0])} looks {shown}-delimited; read the file with "
            f"--delimiter {shown}{fi}")


# a row that states a sum in words, in the customer (or first) column with no component:
# "Yhteensä", "Total: ", "ALV 24 %", "Välisumma"
SUM_LABELS = {"yhteensä": "sum", "summa": "sum", "total": "sum", "totalt": "sum",
              "välisumma": "subtotal", "subtotal": "subtotal", "delsumma": "subtotal",
              "alv": "vat", "vat": "vat", "moms": "vat"}
_LABEL = re.compile(r"^([^\W\d_]+)\s*(?:\(?\s*(\d+(?:[.,]\d+)?)\s*%\s*\)?)?\s*:?$")


def sum_label(text: str) -> str | None:
    """What a bill row labelled in words states: 'sum', 'subtotal' or 'vat' (or None)."""
    m = _LABEL.match(text.strip())
    return SUM_LABELS.get(m.group(1).casefold()) if m else None


def label_rate(text: str) -> Decimal | None:
    """The percentage a labelled VAT row names ("ALV 25,5 %": 25.5), if it names one."""
    m = _LABEL.match(text.strip())
    if m is None or m.group(2) is None or SUM_LABELS.get(m.group(1).casefold()) != "vat":
        return None
    return Decimal(m.group(2).replace(",", "."))



# --- text in bounded chunks ---------------------------------------------------------------

class LineTooLong(Exception):
    """A line (or a CSV record) longer than the limit: the rest of the file is not read."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} is longer than {limit:,} characters (a line end missing?); "
                         "the rest of the file is not read")


class Undecodable(Exception):
    """The bytes are not text in the expected encoding (the message says which byte)."""


class WideText(Undecodable):
    """UTF-16 or UTF-32, told by the byte-order mark (Excel's "Unicode text"): event files
    are read only in encodings that write ASCII as ASCII, so no --encoding reads it."""


# UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's (FF FE 00 00)
_WIDE_MARKS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
               (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def undecodable_message(exc: Undecodable, encoding: str | None, path: str | None = None
                        ) -> str:
    """What ``F003`` says of a file whose bytes are not its text: what it is, when it is a
    kind of file given by mistake (``path``: read to tell); else why, and, when no encoding
    was named and another could read it, how to name one (no encoding reads a workbook)."""
    kind = other_kind(path) if path is not None else None
    if kind is not None:
        return f"the file is {kind}"
    if encoding is not None or isinstance(exc, WideText):
        return str(exc)
    return f"{exc}; name its encoding, e.g. --encoding cp1252 for a spreadsheet's CSV export"


def other_kind(path: str) -> str | None:
    """What a file is by its first bytes, when it is one given instead of a text file by
    mistake: a workbook, or a SQLite database (a ledger); None otherwise."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return None
    return kind_of(head)


def kind_of(head: bytes) -> str | None:
    """``other_kind`` of a file's first bytes."""
    if head.startswith(b"PK\x03\x04"):
        return ("an Excel workbook (or another ZIP file), not a CSV file: save its sheet as "
                "CSV UTF-8 and give that")
    if head.startswith(b"SQLite format 3\x00"):
        return "a SQLite database (a ledger?), not an event file"
    return None


class Progress:
    """Records a CSV reader has finished, so the text source can bound one record's size."""

    __slots__ = ("header", "rows")

    def __init__(self) -> None:
        self.rows = 0
        self.header = 0  # the header's row number, once read


class TextSource:
    """A binary file's text as lines (line ends kept, ``\\r``, ``\\n`` and ``\\r\\n`` end a
    line), decoded in chunks of bounded size; raises LineTooLong and Undecodable."""

    def __init__(self, fh: BinaryIO, encoding: str | None, sniff: bool = True,
                 first_byte: int = 0) -> None:
        self._fh = fh
        self._sniff = sniff  # the start of a file (a BOM, UTF-8 named otherwise), not a part
        self.encoding = encoding  # None: UTF-8
        self.bom = False
        self._decoder = codecs.getincrementaldecoder(encoding or "utf-8")()
        self._consumed = first_byte  # where ``fh`` stands in its file: bytes are named so
        self._first: str | None = None
        self._eof = False
        self._stopped = False  # a line or record too long: the rest is not read
        self.progress: Progress | None = None  # set by a CSV reader
        self.last = b""  # the last byte read: a pipe cannot be read again to find it

    @property
    def read_to_end(self) -> bool:
        """Every line of the file was handed out (no LineTooLong on the way)."""
        return self._eof and not self._stopped

    def _too_long(self, what: str, limit: int) -> LineTooLong:
        self._stopped = True
        return LineTooLong(what, limit)

    def head(self) -> str:
        """The first chunk of text (for telling JSON Lines from CSV, and ``sep=``)."""
        if self._first is None:
            data = self._fh.read(_CHUNK_BYTES)
            wide = next((name for mark, name in _WIDE_MARKS if data.startswith(mark)), None)
            if self._sniff and wide is not None:
                raise WideText(f"the file is {wide} (its byte-order mark): save it as UTF-8 "
                               "(in Excel: CSV UTF-8)")
            if self._sniff and data.startswith(codecs.BOM_UTF8):
                if self.encoding is not None:
                    raise Undecodable(f"the file is UTF-8 (it starts with a byte-order mark), "
                                      f"not {self.encoding}: leave out --encoding")
                self.bom, data = True, data[len(codecs.BOM_UTF8):]
                self._consumed = len(codecs.BOM_UTF8)
            if self._sniff and self.encoding is not None and _looks_utf8(data):
                raise Undecodable(f"the file looks like UTF-8, not {self.encoding} (its "
                                  "letters beyond ASCII are UTF-8): leave out --encoding")
            self._eof = not data
            self._first = self._decode(data, final=self._eof)
        return self._first

    def skip(self, chars: int) -> None:
        """Drop the first ``chars`` characters (a ``sep=`` line)."""
        self._first = self.head()[chars:]

    def _decode(self, data: bytes, final: bool) -> str:
        pending = len(self._decoder.getstate()[0])
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            at = self._consumed - pending + exc.start
            raise Undecodable(f"file is not {self.encoding or 'UTF-8'} (byte {at})") from None
        self._consumed += len(data)
        if data:
            self.last = data[-1:]
        return text

    def whole(self) -> str:
        """All the text at once: only for files of bounded size (bills)."""
        parts = [self.head()]
        while not self._eof:
            data = self._fh.read(_CHUNK_BYTES)
            self._eof = not data
            parts.append(self._decode(data, final=self._eof))
        return "".join(parts)

    def lines(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self._chunks())

    def _chunks(self) -> Iterator[list[str]]:
        carry, text = "", self.head()
        stalled, rows = 0, -1
        while True:
            lines = io.StringIO(carry + text, newline="").readlines()
            carry = ""
            if not self._eof and lines and not lines[-1].endswith("\n"):
                carry = lines.pop()  # the line goes on in the next chunk (or "\r" + "\n")
                if len(carry) > MAX_LINE_CHARS:
                    raise self._too_long("a line", MAX_LINE_CHARS)
            if lines and len(lines[0]) > MAX_LINE_CHARS:
                raise self._too_long("a line", MAX_LINE_CHARS)
            if lines:
                yield lines
            # runs when the reader asks for more: it has used every line handed out so far
            stalled, rows = self._bound_record(len(text), stalled, rows)
            if self._eof:
                return
            data = self._fh.read(_CHUNK_BYTES)
            self._eof = not data
            text = self._decode(data, final=self._eof)

    def _bound_record(self, chars: int, stalled: int, rows: int) -> tuple[int, int]:
        """A CSV record still unfinished after MAX_ROW_CHARS characters is refused."""
        if self.progress is None:
            return 0, -1
        if self.progress.rows != rows:
            return 0, self.progress.rows
        if stalled + chars > MAX_ROW_CHARS:
            raise self._too_long("a row", MAX_ROW_CHARS)
        return stalled + chars, rows


def _looks_utf8(data: bytes) -> bool:
    """Letters beyond ASCII, all of them valid UTF-8 (a chunk may end inside a letter: a
    letter cut there alone is no evidence)."""
    if data.isascii():
        return False
    try:
        return not codecs.getincrementaldecoder("utf-8")().decode(data, False).isascii()
    except UnicodeDecodeError:
        return False


def decode_text(data: bytes, encoding: str | None) -> str:
    """A whole file's text (a bill, at most a few MB), checked as ``TextSource`` checks it."""
    return TextSource(io.BytesIO(data), encoding).whole()
