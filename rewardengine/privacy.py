"""Personal identities in event data and bills: spotting them, and keyed pseudonyms.

Event data is personal; a customer id should be a pseudonym. A customer id that is a Finnish
personal identity code (henkilötunnus) is warned about (``P001``), never echoed. ``pseudonym``
replaces an id with a keyed HMAC-SHA256, so the buyer and the provider, who share the key, get
the same pseudonym for the same customer in every file without exchanging identities.

Ground layer: imports only ``errors`` (and python-stdnum, which checks the henkilötunnus with
every century sign in use since 2023: ``+ - A B C D E F X Y W V U``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from stdnum.fi import hetu

from .errors import Problem, Source

HETU_LENGTH = 11  # DDMMYY, the century sign, three digits, the check character
_CENTURY_SIGNS = frozenset("+-ABCDEFXYWVUabcdefxywvu")


def looks_like_hetu(value: str) -> bool:
    """A henkilötunnus: a real date, a century sign, an individual number (temporary ones,
    900-999, too) and the right check character."""
    return (len(value) == HETU_LENGTH and value[6] in _CENTURY_SIGNS
            and hetu.is_valid(value, allow_temporary=True))


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
# international (+358 40 123 4567) or a Finnish mobile number (040 123 4567, 050-1234567)
_PHONE = re.compile(r"^(\+\d(?:[ -]?\d){6,14}|0(?:4\d|50)(?:[ -]?\d){5,8})$", re.ASCII)


def personal_kind(value: str) -> str | None:
    """What a customer id looks like when it looks personal: the kind, or None."""
    if looks_like_hetu(value):
        return "personal identity code"
    if _EMAIL.match(value):
        return "e-mail address"
    if _PHONE.match(value):
        return "phone number"
    return None


@dataclass
class PersonalIdWatch:
    """Customer ids of one file that look like a henkilötunnus: how many, and the first row.
    The ids are kept only to count them; they are never shown."""

    ids: set[str] = field(default_factory=set)
    first_row: int | None = None

    def see(self, value: str, row: int) -> None:
        if looks_like_hetu(value):
            self.ids.add(value)
            if self.first_row is None:
                self.first_row = row

    def problem(self, file: str) -> Problem | None:
        if not self.ids:
            return None
        many = len(self.ids)
        return Problem("P001", f"{many} customer id{'s' if many != 1 else ''} look"
                       f"{'' if many != 1 else 's'} like a Finnish personal identity code "
                       f"(henkilötunnus), the first in row {self.first_row}; customer ids "
                       "should be pseudonyms (rewardengine pseudonymize)",
                       Source(file, row=self.first_row))


# --- keyed pseudonyms ----------------------------------------------------------------------

MIN_KEY_BYTES = 32
MAX_KEY_BYTES = 1024
PSEUDONYM_PREFIX = "ps_"


class KeyFileError(ValueError):
    """The key file cannot be used (the message never holds the key)."""


def read_key(path: str) -> bytes:
    """The key: the file's bytes, less trailing line ends, at least 32 bytes."""
    how = ("make one with 32 random bytes, e.g. "
           "python3 -c \"import secrets; print(secrets.token_hex(32))\" > KEYFILE, "
           "and share it only with the other party")
    try:
        with open(path, "rb") as fh:
            key = fh.read(MAX_KEY_BYTES + 1)
    except OSError as exc:
        raise KeyFileError(f"--key-file {path}: cannot read it ({exc.strerror or exc}); "
                        f"{how}") from None
    if len(key) > MAX_KEY_BYTES:
        raise KeyFileError(f"--key-file {path}: longer than {MAX_KEY_BYTES} bytes; is it the "
                        "key file?")
    key = key.rstrip(b"\r\n")
    if len(key) < MIN_KEY_BYTES:
        raise KeyFileError(f"--key-file {path}: shorter than {MIN_KEY_BYTES} bytes; {how}")
    return key


def pseudonym(key: bytes, customer_id: str) -> str:
    """``ps_`` and 32 hex digits (128 bits) of HMAC-SHA256(key, id): the same id and key
    always give the same pseudonym; without the key it cannot be reversed or recomputed."""
    digest = hmac.new(key, customer_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:32]
