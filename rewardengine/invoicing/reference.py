"""Payment references derived from the invoice number: Finnish (viitenumero) or RF (ISO 11649).

The reference lets the seller's bank match a payment to its invoice, so it must be unique
among the seller's open invoices and the same every time the invoice is rendered. It is
derived from the invoice number alone:

- the number's sequence (its last part, ``0004`` in ``TTV-broker-0004``) gives the last
  five digits, so two invoices of one series never share a reference;
- the rest (prefix and series) gives nine digits from its SHA-256, so series keep apart
  (two series of one seller collide only with odds of one in a billion);
- a leading ``1`` keeps leading zeros, and the Finnish check digit (weights 7, 3, 1 from the
  right, ten minus the sum's last digit) ends it: 16 digits, within the 4 to 20 allowed.

No library computes the Finnish 7-3-1 check digit, so it is written here; the RF reference
uses python-stdnum's ISO 7064 MOD 97-10 and is checked with its ISO 11649 module. The RF form
carries the Finnish reference as its body, as Finnish banks do.

``printed`` and ``printed_iban`` group them as a Finnish bill prints them for a person to
read and type (the reference in groups of five from the right, an RF reference and an IBAN
in groups of four); every machine field (UBL, Finvoice, JSON, CSV, the XLSX cells) keeps them
ungrouped.
"""

from __future__ import annotations

import hashlib

from stdnum import iban, iso11649
from stdnum.iso7064 import mod_97_10

_WEIGHTS = (7, 3, 1)


def finnish_check_digit(base: str) -> str:
    """The 7-3-1 check digit of a Finnish reference's base digits."""
    if not base.isdigit() or not 3 <= len(base) <= 19:
        raise ValueError("a Finnish reference's base is 3 to 19 digits")
    total = sum(int(d) * _WEIGHTS[i % 3] for i, d in enumerate(reversed(base)))
    return str((10 - total % 10) % 10)


def is_finnish_reference(reference: str) -> bool:
    return (reference.isdigit() and 4 <= len(reference) <= 20
            and finnish_check_digit(reference[:-1]) == reference[-1])


def _base(number: str) -> str:
    head, _, tail = number.rpartition("-")
    if not (head and tail.isdigit() and len(tail) <= 5):
        head, tail = number, "0"
    series = int.from_bytes(hashlib.sha256(head.encode("utf-8")).digest()[:8], "big")
    return f"1{series % 10**9:09d}{int(tail):05d}"


def finnish_reference(number: str) -> str:
    """The Finnish reference (viitenumero) of the invoice ``number``."""
    base = _base(number)
    return base + finnish_check_digit(base)


def rf_reference(number: str) -> str:
    """The RF creditor reference of the invoice ``number`` (its body the Finnish one)."""
    body = finnish_reference(number)
    reference = "RF" + mod_97_10.calc_check_digits(body + "RF") + body
    return str(iso11649.validate(reference))


def payment_reference(number: str, kind: str) -> str:
    return rf_reference(number) if kind == "rf" else finnish_reference(number)


def printed(reference: str) -> str:
    """A payment reference as a bill prints it: ``1 58425 75390 00030`` (groups of five from
    the right), ``RF63 1584 2575 3900 0043`` (groups of four)."""
    if reference.startswith("RF"):
        return str(iso11649.format(reference))
    head = len(reference) % 5
    groups = ([reference[:head]] if head else []) + [
        reference[i:i + 5] for i in range(head, len(reference), 5)]
    return " ".join(groups)


def printed_iban(number: str) -> str:
    """An IBAN in groups of four: ``FI36 1234 5600 0202 06``."""
    return str(iban.format(number))
