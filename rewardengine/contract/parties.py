"""The parties of an invoice and its VAT, as the contract writes them (docs/contract-language.md).

An e-invoice to a Finnish public buyer (Act 241/2019; EN 16931, Finvoice 3.0, Peppol BIS
Billing 3.0) needs what a plain invoice does not: the seller's and the buyer's legal names,
business ids, VAT ids and addresses, their e-invoice addresses, the seller's bank account,
payment terms and the buyer's reference. These models hold them, each value checked where a
check exists: Finnish business ids (Y-tunnus), VAT ids, IBANs, BICs, GLNs and the Nordic
organisation numbers with python-stdnum; countries with Babel's list; the Finnish OVT
e-invoice address is ``0037`` + the business id's eight digits + an optional suffix. An
e-invoice address's and a legal id's ``id`` is kept compact, as Peppol writes it
(PEPPOL-COMMON-R040 to R049: ``556036-0793`` under 0007 is ``5560360793``).

VAT may change on dates (``DatedRate``: 24 % until 31 Aug 2024, 25.5 % from 1 Sept 2024, each
with its legal reference), and a component may have its own treatment (``VatTreatment``: an
exempt service with its reason).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from babel import Locale
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from stdnum import bic, ean, iban
from stdnum.au import abn
from stdnum.dk import cvr
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fi import ytunnus
from stdnum.gb import vat as gb_vat
from stdnum.no import mva
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr
from stdnum.us import ein

from ..values import Fraction, IsoDate


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _shown(value: Any) -> str:
    """A value as echoed in a message: short, never the whole of a long text."""
    text = str(value)
    return text if len(text) <= 24 else text[:21] + "..."


def _text(value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise PydanticCustomError("text", "expected a text")
    return str(value).strip()


def _checked(kind: str, check: Any, value: Any, what: str) -> str:
    text = _text(value)
    try:
        return str(check(text))
    except ValidationError as exc:
        raise PydanticCustomError(kind, "'{value}' is not a valid {what}: {why}",
                                  {"value": _shown(text), "what": what,
                                   "why": str(exc).rstrip(".").lower()}) from None


# --- identifiers ------------------------------------------------------------------------------

def _business_id_fi(value: Any) -> str:
    """A Finnish business id, written 1234567-8 (its check digit checked)."""
    return str(ytunnus.format(_checked("identifier", ytunnus.validate, value,
                                       "Finnish business id (Y-tunnus)")))


def _iban(value: Any) -> str:
    return _checked("identifier", iban.validate, value, "IBAN")


def _bic(value: Any) -> str:
    return _checked("identifier", bic.validate, value, "BIC")


# VAT ids outside the EU that the engine can check; an EU VAT id is checked by its country
_VAT_OUTSIDE_EU = {"GB": gb_vat.validate, "NO": mva.validate, "AU": abn.validate}


def _vat_id(value: Any) -> str:
    """A VAT id with its country prefix (FI12345678, SE556000000001, GB...)."""
    text = _text(value).replace(" ", "").upper()
    prefix = text[:2]
    check = _VAT_OUTSIDE_EU.get(prefix)
    if check is not None:
        body = _checked("identifier", check, text[2:], f"{prefix} VAT id")
        return prefix + body.removeprefix(prefix)
    return _checked("identifier", eu_vat.validate, text, "VAT id (with its country prefix, "
                    "e.g. FI12345671)")


def _country(value: Any) -> str:
    text = _text(value).upper()
    if len(text) != 2 or not text.isalpha() or text not in Locale("en").territories:
        raise PydanticCustomError("country", "'{value}' is not an ISO 3166 country code "
                                  "written like FI or SE", {"value": _shown(text)})
    return text


def _compact(value: str) -> str:
    """An id without the spaces, dashes and dots it is often typed with."""
    return re.sub(r"[\s.-]", "", value)


def _ovt(value: str) -> str:
    """An OVT code: 0037, the eight digits of a business id, and up to 5 letters or digits."""
    value = _compact(value)
    if not value.startswith("0037") or not 12 <= len(value) <= 17 or not value.isalnum():
        raise ValidationError("an OVT code is 0037, the business id's 8 digits and an "
                              "optional suffix of up to 5 letters or digits")
    ytunnus.validate(value[4:12])
    return value


def _business_id_digits(value: str) -> str:
    return str(ytunnus.compact(ytunnus.validate(value)))


def _duns(value: str) -> str:
    """A D-U-N-S number: nine digits (Dun & Bradstreet publishes no check digit to test)."""
    value = _compact(value)
    if not re.fullmatch(r"\d{9}", value):
        raise ValidationError("a D-U-N-S number is nine digits")
    return value


def _gln(value: str) -> str:
    """A GLN: thirteen digits, the last a GS1 check digit (PEPPOL-COMMON-R040)."""
    value = str(ean.validate(value))
    if len(value) != 13:
        raise ValidationError("a GLN is thirteen digits")
    return value


# e-invoice address schemes (ISO 6523 ICD, as in Peppol's EAS list) the engine checks; each
# check returns the id compacted, as Peppol writes it (PEPPOL-COMMON-R040 to R049: 0192 nine
# digits, 0007 ten without the dash, a GLN thirteen)
ADDRESS_SCHEMES: dict[str, tuple[str, Any]] = {
    "0037": ("Finnish business id (LY-tunnus)", _business_id_digits),
    "0216": ("Finnish OVT code", _ovt),
    "0088": ("GLN", _gln),
    "0007": ("Swedish organisation number", se_orgnr.validate),
    "0192": ("Norwegian organisation number", no_orgnr.validate),
    "0184": ("Danish CVR number", cvr.validate),
    "0060": ("D-U-N-S number", _duns),
    "9959": ("US Employer Identification Number (EIN)", ein.validate),
}

# legal registration id schemes (ISO 6523 ICD, as BT-30 and BT-47 take them) the engine
# checks; the EAS-only codes (0216 OVT, 9959 EIN) are e-invoice addresses, not legal ids
LEGAL_SCHEMES: dict[str, tuple[str, Any]] = {
    k: ADDRESS_SCHEMES[k] for k in ("0037", "0007", "0192", "0184", "0088", "0060")}

# address schemes Peppol has withdrawn from its EAS list, and what replaces each: its SMP no
# longer registers 0037 (FI:OVT, removed 31 Dec 2024 in the Peppol code lists 8.9, TICC-345)
# and BIS Billing's CL008 list drops it, so a UBL addressed so reaches no one. Finvoice
# still names 0037 in its envelope, so the contract may keep it for Finvoice.
PEPPOL_WITHDRAWN: dict[str, str] = {"0037": "0216"}


def peppol_withdrawn(scheme: str) -> str | None:
    """Why Peppol cannot deliver to an address of ``scheme`` and what to give instead, or
    None when it can."""
    instead = PEPPOL_WITHDRAWN.get(scheme)
    if instead is None:
        return None
    return (f"Peppol no longer delivers to e-invoice address scheme {scheme} (it left the EAS "
            f"code list, PEPPOL-EN16931-CL008); give scheme {instead} "
            f"({ADDRESS_SCHEMES[instead][0]})")


def compact_id(scheme: str | None, value: str) -> str | None:
    """An id as its scheme writes it (``556036-0793`` under 0007 is ``5560360793``), or None
    when it fails the scheme's check; an id of a scheme the engine does not check is kept."""
    known = ADDRESS_SCHEMES.get(scheme or "")
    if known is None:
        return value
    try:
        return str(known[1](value.strip()))
    except ValidationError:
        return None

BusinessIdFI = Annotated[str, BeforeValidator(_business_id_fi),
                         WithJsonSchema({"type": "string", "pattern": r"^\d{7}-\d$"})]
Iban = Annotated[str, BeforeValidator(_iban), WithJsonSchema({"type": "string"})]
Bic = Annotated[str, BeforeValidator(_bic), WithJsonSchema({"type": "string"})]
VatId = Annotated[str, BeforeValidator(_vat_id), WithJsonSchema({"type": "string"})]
Country = Annotated[str, BeforeValidator(_country),
                    WithJsonSchema({"type": "string", "pattern": "^[A-Z]{2}$"})]
Name = Annotated[str, Field(min_length=2, max_length=70)]
Line35 = Annotated[str, Field(min_length=2, max_length=35)]
Reference = Annotated[str, Field(min_length=1, max_length=70)]


class Address(_Strict):
    """A postal address (Finvoice allows 35 characters a line)."""

    street: Line35
    postal_code: Annotated[str, Field(min_length=2, max_length=16)]
    city: Line35
    country: Country = "FI"


class EInvoiceAddress(_Strict):
    """Where e-invoices are delivered: ``{scheme: "0216", id: "003712345671", operator:
    "003721291126"}``; ``operator`` (the intermediator: an OVT code or a BIC) is what
    Finvoice's message envelope names."""

    scheme: str = Field(description="ISO 6523 ICD: 0216 OVT, 0037 business id, 0088 GLN, ...")
    id: str = Field(description="checked by its scheme and kept compact (5560360793)")
    operator: str | None = None

    @field_validator("scheme")
    @classmethod
    def _known(cls, value: str) -> str:
        return _scheme(value, ADDRESS_SCHEMES, "e_invoice_address", "one the engine knows")

    @field_validator("id")
    @classmethod
    def _id(cls, value: str, info: ValidationInfo) -> str:
        return _scheme_id(value, ADDRESS_SCHEMES, info)

    @field_validator("operator")
    @classmethod
    def _operator_ok(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return _checked("identifier", _operator, value,
                        "e-invoice operator (an OVT code or a BIC)")


def _operator(value: str) -> str:
    return _ovt(value) if value[:1].isdigit() else str(bic.validate(value))


def _scheme(value: str, schemes: dict[str, tuple[str, Any]], kind: str, what: str) -> str:
    text = value.strip()
    if text not in schemes:
        raise PydanticCustomError(
            kind, "scheme '{value}' is not {what}; use one of {known}",
            {"value": _shown(text), "what": what,
             "known": ", ".join(f"{k} ({v[0]})" for k, v in schemes.items())})
    return text


def _scheme_id(value: str, schemes: dict[str, tuple[str, Any]], info: ValidationInfo) -> str:
    """An id checked by the scheme given before it (the scheme's own error said when the scheme
    is not known), compacted as Peppol writes it."""
    known = schemes.get(info.data.get("scheme", ""))
    if known is None:
        return value.strip()
    return _checked("identifier", known[1], value, known[0])


class LegalId(_Strict):
    """A legal registration id with its scheme (EN 16931 BT-30, BT-47): ``{scheme: "0060",
    id: "123456789"}`` (ISO 6523 ICD: 0037 Finnish business id, 0060 D-U-N-S, 0088 GLN, ...),
    for a party with no Finnish business id."""

    scheme: str = Field(description="ISO 6523 ICD: 0060 D-U-N-S, 0088 GLN, 0037, ...")
    id: str = Field(description="checked by its scheme and kept compact (5560360793)")

    @field_validator("scheme")
    @classmethod
    def _known(cls, value: str) -> str:
        return _scheme(value, LEGAL_SCHEMES, "legal_id",
                       "a legal registration scheme the engine knows")

    @field_validator("id")
    @classmethod
    def _id(cls, value: str, info: ValidationInfo) -> str:
        return _scheme_id(value, LEGAL_SCHEMES, info)


def _account(value: Any) -> str:
    text = _text(value).replace(" ", "")
    if not re.fullmatch(r"[A-Za-z0-9]{2,34}", text):
        raise PydanticCustomError("account", "'{value}' is not an account number of 2 to 34 "
                                  "letters and digits", {"value": _shown(text)})
    return text


class BankAccount(_Strict):
    """The seller's account: an IBAN with its BIC, or, where there is no IBAN (the United
    States), the national account number (``account``, a BBAN) and the BIC if it has one."""

    iban: Iban | None = None
    account: Annotated[str, BeforeValidator(_account), WithJsonSchema(
        {"type": "string"})] | None = Field(default=None, description="without an IBAN")
    bic: Bic | None = None

    @model_validator(mode="after")
    def _one(self) -> BankAccount:
        if (self.iban is None) == (self.account is None):
            raise PydanticCustomError("bank", "give the account as iban (with its bic), or, "
                                      "where there is no IBAN, as account")
        if self.iban is not None and self.bic is None:
            raise PydanticCustomError("bank", "an IBAN is given with its bic")
        return self


class _PartyBase(_Strict):
    """What a seller and a buyer share: ids, address, e-invoice address."""

    vat_id: VatId | None = None
    legal_id: LegalId | None = None
    address: Address | None = None
    e_invoice_address: EInvoiceAddress | None = None



def business_id_of(value: Any, info: ValidationInfo) -> Any:
    """A Finnish party's business id is checked (a field validator: the address, declared
    before it, tells the country), a US party's as an EIN; another country's is its own
    text."""
    address = info.data.get("address")
    if value is None or not isinstance(address, Address):
        return value
    if address.country == "US":
        return ein.format(_checked("identifier", ein.validate, value,
                                   "US Employer Identification Number (EIN)"))
    if address.country != "FI":
        return value
    return _business_id_fi(value)


class SellerDetails(_PartyBase):
    """What a provider adds to be the seller of an e-invoice."""

    bank: BankAccount | None = None


class BuyerParty(_PartyBase):
    """``invoicing.buyer``: the public buyer as an e-invoice names it, and its references."""

    name: Name | None = Field(default=None, description="legal name; default metadata.buyer")
    business_id: str | None = None
    address: Address  # required for a buyer (EN 16931 BR-11)
    reference: Reference | None = Field(
        default=None, description="the buyer reference (BT-10) its invoices must carry")
    order: Reference | None = Field(default=None, description="purchase order number (BT-13)")
    contract_number: Reference | None = Field(
        default=None, description="the procurement contract's number (BT-12)")

    _business_id = field_validator("business_id")(business_id_of)


# --- VAT ---------------------------------------------------------------------------------------

def _by_shape(value: Any) -> str:
    if isinstance(value, dict):
        return "a dated value" if "values" in value else "a mapping"
    if isinstance(value, DatedRate):
        return "a dated value"
    return "a scalar"


class DatedRateEntry(_Strict):
    value: Fraction
    reference: str | None = None


DatedRateCell = Annotated[
    Annotated[Fraction, Tag("a scalar")] | Annotated[DatedRateEntry, Tag("a mapping")],
    Discriminator(_by_shape),
]


class DatedRate(_Strict):
    """A rate that changes on dates, each value with its legal reference: ``{values:
    {2013-01-01: 0.24, 2024-09-01: {value: 0.255, reference: "Act 474/2024"}}}``. A rate is a
    fraction with any number of decimals (0.255 is 25.5 %), not money."""

    values: dict[IsoDate, DatedRateCell] = Field(min_length=1)
    reference: str | None = None

    def changes(self) -> list[tuple[date, Decimal, str | None]]:
        return sorted((d, v.value, v.reference or self.reference) if isinstance(
            v, DatedRateEntry) else (d, v, self.reference) for d, v in self.values.items())

    def at(self, on: date) -> tuple[Decimal, str | None] | None:
        """The rate in force on ``on`` and its reference (None before the first date)."""
        found = None
        for start, value, reference in self.changes():
            if start > on:
                break
            found = (value, reference)
        return found


Rate = Annotated[
    Annotated[Fraction, Tag("a scalar")] | Annotated[DatedRate, Tag("a dated value")],
    Discriminator(_by_shape),
]


def rate_at(rate: Decimal | DatedRate, on: date) -> tuple[Decimal, str | None] | None:
    """A VAT rate as it stands on ``on``, with its reference (None before a dated rate
    starts)."""
    if isinstance(rate, DatedRate):
        return rate.at(on)
    return rate, None


VatCategory = Literal["S", "E", "Z", "O"]
NOT_SUBJECT = ("VATEX-EU-O", "Not subject to VAT")  # category O's code and words
# VATEX codes that Peppol ties to a category other than E (PEPPOL-EN16931-P0104 to P0107)
OTHER_CATEGORY = {"VATEX-EU-G": "G", "VATEX-EU-O": "O", "VATEX-EU-IC": "K", "VATEX-EU-AE": "AE"}
def _vatex(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"VATEX-[A-Z]{2,3}-[A-Za-z0-9-]{1,12}", text):
        raise PydanticCustomError("vatex", "'{value}' is not a VATEX code written like "
                                  "VATEX-EU-132-1C", {"value": _shown(text)})
    return text


VATEX = Annotated[str, BeforeValidator(_vatex),
                  WithJsonSchema({"type": "string", "pattern": "^VATEX-"})]


class VatTreatment(_Strict):
    """A component's own VAT: ``{category: E, exemption_code: VATEX-EU-132-1G,
    exemption_reason: "..."}`` for an exempt service; ``{category: S, rate: ...}`` for another
    standard rate; ``{category: O}`` for a service outside the scope of VAT (its code
    VATEX-EU-O and reason "Not subject to VAT" by default). Categories (UNCL 5305): S
    standard, E exempt, Z zero rated, O not subject to VAT."""

    category: VatCategory
    rate: Rate | None = Field(default=None, description="S only; default metadata.vat_rate")
    exemption_code: VATEX | None = Field(default=None, description="the VATEX code (E)")
    exemption_reason: Annotated[str, Field(min_length=2, max_length=70)] | None = Field(
        default=None, description="why the service is exempt, in words (E)")

    @model_validator(mode="after")
    def _consistent(self) -> VatTreatment:
        if self.category != "S" and self.rate is not None:
            raise PydanticCustomError("vat", "a rate is given only with category S; category "
                                      "{value} has none", {"value": self.category})
        exempt = self.exemption_code is not None or self.exemption_reason is not None
        if self.category == "E" and not exempt:
            raise PydanticCustomError("vat", "an exempt service (category E) needs its "
                                      "exemption_reason or exemption_code (EN 16931 BR-E-10)")
        if self.category not in ("E", "O") and exempt:
            raise PydanticCustomError("vat", "an exemption reason is given only with "
                                      "category E or O")
        owner = OTHER_CATEGORY.get((self.exemption_code or "").upper())
        if self.category == "E" and owner is not None:
            raise PydanticCustomError("vat", "the exemption code {code} is category {owner}'s, "
                                      "not E's: Peppol refuses it with category E "
                                      "(PEPPOL-EN16931-P0104 to P0107); give an exempt "
                                      "service's code (VATEX-EU-132-1G, ...)",
                                      {"code": self.exemption_code, "owner": owner})
        if self.category == "O" and self.exemption_code not in (None, NOT_SUBJECT[0]):
            raise PydanticCustomError("vat", "a service not subject to VAT (category O) has "
                                      "the exemption code {code}", {"code": NOT_SUBJECT[0]})
        return self


PaymentReference = Literal["finnish", "rf"]
