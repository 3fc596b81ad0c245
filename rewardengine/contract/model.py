"""The contract language as pydantic models (``extra="forbid"``: unknown keys are errors).

This module holds what every contract shares: metadata, segments, windows, caps, prices, and
``ComponentBase``, the base of every fee kind. Each kind's own model lives in its module under
``rewardengine/kinds/`` and answers the questions checks and lint ask of a component (its price
tables, its phase, the work it counts, the thresholds it must reach...) by overriding the
methods below; the language knows nothing of how a kind is evaluated. ``contract_class``
assembles the full ``Contract`` model from the kinds' models.

Every key is described in docs/contract-language.md. Values arrive as the strings written in
YAML; the value types in ``rewardengine.values`` parse them exactly.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Protocol, Union, get_args

from babel.numbers import get_currency_precision, list_currencies
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    create_model,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ..errors import Problem
from ..values import (
    Duration,
    DurationField,
    Fraction,
    IsoDate,
    LengthField,
    Money,
    Quantity,
    SignedMoney,
    WholeNumber,
    once,
    parse_date,
    parse_duration,
    to_decimal,
)
from .parties import (
    BuyerParty,
    PaymentReference,
    Rate,
    SellerDetails,
    VatTreatment,
    business_id_of,
)

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]

EmploymentKind = Literal["open", "subsidised", "entrepreneur", "apprenticeship"]
EMPLOYMENT_KINDS: tuple[str, ...] = ("open", "subsidised", "entrepreneur", "apprenticeship")
EvidenceLevel = Literal["register", "te_office", "employer", "self_report"]
# strongest first: an upgrade moves left in this tuple
EVIDENCE_LEVELS: tuple[str, ...] = ("register", "te_office", "employer", "self_report")

EventType = Literal[
    "referral", "service_start", "service_end", "hours", "contact", "employment",
    "education", "benefit", "survey", "expense", "earnings",
]

Path = tuple[str | int, ...]


def by_shape(value: Any) -> str:
    """Pick a union branch by the shape of what was written, so errors name one branch."""
    if isinstance(value, dict):
        return "a dated value" if "values" in value else "a mapping"
    if isinstance(value, Dated):
        return "a dated value"
    if isinstance(value, list):
        return "a list"
    return "a scalar"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatedEntry(Strict):
    value: Money
    reference: str | None = None


DatedCell = Annotated[
    Annotated[Money, Tag("a scalar")] | Annotated[DatedEntry, Tag("a mapping")],
    Discriminator(by_shape),
]


class Dated(Strict):
    """An amount that changes on dates (as OpenFisca's parameters): ``{values: {2024-01-01:
    930.00, 2025-01-01: {value: 944.00, reference: ...}}, reference: ...}``. Each value holds
    from its date until the next; before the first date there is none."""

    values: dict[IsoDate, DatedCell] = Field(min_length=1)
    reference: str | None = None

    def changes(self) -> list[tuple[date, Decimal]]:
        return sorted((d, v.value if isinstance(v, DatedEntry) else v)
                      for d, v in self.values.items())

    def at(self, on: date) -> Decimal | None:
        """The value in force on ``on`` (None before the first date)."""
        days, values = once(_steps, self)
        i = bisect_right(days, on)  # the changes on or before ``on``
        return values[i - 1] if i else None

    def over(self, days: Sequence[date]) -> list[Decimal | None]:
        """The value in force on each of ``days`` (in order, earliest first), as ``at``
        gives it: the changes are walked once, so a value is looked up once for the run of
        days it holds on, not once a day."""
        changes, values = once(_steps, self)
        out: list[Decimal | None] = []
        i, n, previous = 0, len(changes), date.min
        for day in days:
            if day < previous:
                raise ValueError("days out of order")
            previous = day
            while i < n and changes[i] <= day:
                i += 1
            out.append(values[i - 1] if i else None)
        return out

    def __str__(self) -> str:
        return ", ".join(f"{v} from {d}" for d, v in self.changes())


def _steps(dated: Dated) -> tuple[list[date], list[Decimal]]:
    """The dates a dated amount changes on, in order, and its values (made once per value:
    a kind asks it for every unit of every customer)."""
    changes = dated.changes()
    return [d for d, _ in changes], [v for _, v in changes]


# An amount, or one that changes on dates.
Amount = Annotated[
    Annotated[Money, Tag("a scalar")] | Annotated[Dated, Tag("a dated value")],
    Discriminator(by_shape),
]


def amount_at(value: Decimal | Dated | None, on: date) -> Decimal | None:
    """An amount as it stands on ``on``: a plain amount always; a dated one from its date."""
    if isinstance(value, Dated):
        return value.at(on)
    return value


def amounts_over(value: Decimal | Dated | None, days: Sequence[date]
                 ) -> list[Decimal | None]:
    """``[amount_at(value, d) for d in days]``, ``days`` in order: a dated value's changes
    walked once."""
    if isinstance(value, Dated):
        return value.over(days)
    return [value] * len(days)


def amounts_of(value: Any) -> list[Decimal]:
    """Every amount a price leaf can take over time (one for a plain amount)."""
    if isinstance(value, Dated):
        return [v for _, v in value.changes()]
    return [value] if isinstance(value, Decimal) else []


def price_amounts(price: Any) -> list[Decimal]:
    """Every amount a price can take: all its cells (segments, kinds, evidence levels) and
    dates."""
    if isinstance(price, dict):
        return [a for cell in price.values() for a in price_amounts(cell)]
    return amounts_of(price)


def most_of(price: Any) -> Decimal | None:
    """The largest amount a price can take, over its cells and dates (None: no amount)."""
    return max(price_amounts(price), default=None)


# A price: an amount; or a mapping by segment id, by employment kind or by evidence level,
# nested in that order (segment -> kind -> evidence, any of them left out). Each amount may
# change on dates. Which keys a table may use is checked by the cross-checks (C202).
PriceCell = Annotated[
    Annotated[Money, Tag("a scalar")] | Annotated[Dated, Tag("a dated value")]
    | Annotated[dict[str, Amount], Tag("a mapping")],
    Discriminator(by_shape),
]
PriceCell2 = Annotated[
    Annotated[Money, Tag("a scalar")] | Annotated[Dated, Tag("a dated value")]
    | Annotated[dict[str, PriceCell], Tag("a mapping")],
    Discriminator(by_shape),
]
Price = Annotated[
    Annotated[Money, Tag("a scalar")] | Annotated[Dated, Tag("a dated value")]
    | Annotated[dict[str, PriceCell2], Tag("a mapping")],
    Discriminator(by_shape),
]

# the dimensions a price table may be keyed by, outermost first
PRICE_DIMENSIONS: tuple[str, ...] = ("segment", "kind", "evidence")


def price_dimension(key: str, segment_ids: Sequence[str]) -> str | None:
    """Which dimension a price table's key names (a segment id first), or None."""
    if key in segment_ids:
        return "segment"
    if key in EMPLOYMENT_KINDS:
        return "kind"
    if key in EVIDENCE_LEVELS:
        return "evidence"
    return None


def price_leaves(price: Any, segment_ids: Sequence[str],
                 on_way: tuple[tuple[str, str], ...] = ()
                 ) -> list[tuple[tuple[tuple[str, str], ...], Any]]:
    """Every amount of a price (a plain or dated amount), with the (dimension, key) pairs on
    its way down: ``(("segment", "A"), ("kind", "open"), ("evidence", "register"))``. Keys of
    no dimension are left out (the cross-checks report them)."""
    if not isinstance(price, dict):
        return [(on_way, price)]
    out: list[tuple[tuple[tuple[str, str], ...], Any]] = []
    for key, cell in price.items():
        dim = price_dimension(key, segment_ids)
        if dim is not None:
            out.extend(price_leaves(cell, segment_ids, (*on_way, (dim, key))))
    return out


# --- metadata -------------------------------------------------------------------------------

def _currency(value: Any) -> str:
    """An ISO 4217 code whose amounts have cents (the engine rounds every line to cents)."""
    code = value.strip() if isinstance(value, str) else value
    if not isinstance(code, str) or not code.isascii() or not code.isalpha() \
            or len(code) != 3 or not code.isupper():
        raise PydanticCustomError("currency", "'{value}' is not an ISO 4217 currency code "
                                  "written like EUR, SEK or GBP", {"value": str(value)[:20]})
    if code not in list_currencies():
        raise PydanticCustomError("currency", "'{value}' is not an ISO 4217 currency code",
                                  {"value": code})
    if get_currency_precision(code) != 2:
        raise PydanticCustomError(
            "currency", "{value} has {places} decimal places; the engine computes amounts in "
            "cents, so only currencies with 2 decimal places can be used",
            {"value": code, "places": get_currency_precision(code)})
    return code


Currency = Annotated[str, BeforeValidator(_currency),
                     WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$"})]

class Provider(SellerDetails):
    """A provider; as the seller of an e-invoice also its ids, address and bank account
    (``SellerDetails``). A business id is checked as a Y-tunnus when the address is in
    Finland."""

    id: Identifier
    name: str
    business_id: str | None = None
    invoice_code: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,8}$")] | None = Field(
        default=None, description="the provider in invoice numbers (default its id), so "
        "they fit an e-invoice's 20 characters")

    _business_id = field_validator("business_id")(business_id_of)


class Metadata(Strict):
    id: Identifier
    title: str
    version: str
    buyer: str
    providers: list[Provider] = Field(min_length=1)
    currency: Currency = Field(
        default="EUR", description="ISO 4217 code of the currency every amount is in")
    vat_rate: Rate = Field(
        default=Decimal("0"), description="a fraction (0.24), or rates that change on dates "
        "with their legal references")
    lead_provider: Identifier | None = Field(
        default=None, description="the member that invoices a consortium's whole work")
    valid_from: IsoDate
    valid_until: IsoDate
    illustrative: bool = Field(
        default=True, description="true when amounts are not the contract's published prices")
    source: str | None = None

    # a lead_provider that is none of the providers: a cross-check (C202), at its own line


# --- segments -------------------------------------------------------------------------------

def _bound(value: Any) -> Decimal | date | Duration:
    """A range bound: a duration (``24 months``), a date (``2024-01-01``) or a number, by what
    was written."""
    if isinstance(value, str) and _DURATION_WORDS.search(value):
        return parse_duration(value)
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value.strip())):
        return parse_date(value)
    return to_decimal(value)


Bound = Annotated[
    Decimal | date | Duration, BeforeValidator(_bound),
    WithJsonSchema({"type": ["number", "string"],
                    "description": "a number, a date YYYY-MM-DD, or a duration '24 months'"})]
_DURATION_WORDS = re.compile(r"\b(day|days|week|weeks|month|months)\s*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Range(Strict):
    """Bounds as programmes write them: ``at_least`` / ``more_than`` below, ``less_than`` /
    ``at_most`` above (``min`` is ``at_least`` and ``max`` is ``less_than``: half-open
    ``[min, max)``). A bound is a number, a date, or a duration decided by calendar date
    (``unemployed: {more_than: 24 months}`` holds when unemployed_since + 24 months is
    before the referral date)."""

    min: Bound | None = None
    max: Bound | None = None
    at_least: Bound | None = None
    more_than: Bound | None = None
    less_than: Bound | None = None
    at_most: Bound | None = None

    def lower(self) -> tuple[Decimal | date | Duration, bool] | None:
        """The lower bound and whether it is included."""
        if self.more_than is not None:
            return self.more_than, False
        found = self.at_least if self.at_least is not None else self.min
        return (found, True) if found is not None else None

    def upper(self) -> tuple[Decimal | date | Duration, bool] | None:
        """The upper bound and whether it is included."""
        if self.at_most is not None:
            return self.at_most, True
        found = self.less_than if self.less_than is not None else self.max
        return (found, False) if found is not None else None

    def bounds(self) -> list[tuple[str, Decimal | date | Duration]]:
        return [(k, v) for k in ("min", "max", "at_least", "more_than", "less_than", "at_most")
                if (v := getattr(self, k)) is not None]


Condition = Annotated[
    Annotated[Range, Tag("a mapping")] | Annotated[bool, Tag("a scalar")]
    | Annotated[list[str], Tag("a list")],
    Discriminator(by_shape),
]

SEGMENT_ATTRIBUTES = (
    "unemployment_days", "unemployment_months", "unemployed", "age", "benefit_days",
    "partial_work_ability", "referral_date", "unemployed_since", "birth_date",
)
# what each attribute's range bounds are: numbers, durations (decided by calendar date from
# the date the attribute starts), or dates
BOUND_TYPES: dict[str, type] = {
    "unemployed": Duration, "referral_date": date, "unemployed_since": date,
    "birth_date": date,
}


class Segment(Strict):
    id: Identifier
    label: str | None = None
    distance: WholeNumber = Field(
        ge=0, description="distance from the labour market: 0 closest; larger is farther")
    when: dict[str, Condition] = Field(default_factory=dict)


class Segmentation(Strict):
    source: Literal["rules", "referral"] = "rules"
    policy: Literal["exclusive", "first_match"] = "exclusive"
    tiers: list[Segment] = Field(min_length=1)


# --- windows --------------------------------------------------------------------------------

class ServiceWindow(Strict):
    starts_at: Literal["service_start", "referral"] = "service_start"
    max_length: DurationField


class Windows(Strict):
    service: ServiceWindow
    follow_up: DurationField | None = None
    grace: DurationField | None = None
    referrals_until: IsoDate | None = None
    outcomes_until: IsoDate | None = None
    late_referrals: Literal["paid", "not_paid"] = Field(
        default="paid", description="not_paid: a customer who entered after the last referral "
                                    "day (referrals_until, else valid_until) is paid nothing")


class Phase(Strict):
    """A part of the service window, as offsets from the service start: ``[from, until)``."""

    from_: DurationField | None = Field(default=None, alias="from")
    until: DurationField

    def inverted(self) -> bool:
        """Whether the phase is empty for every service start: it starts no earlier than it
        ends (mixed units compared by their bounds in days: 12 months against 52 weeks is
        not certain)."""
        start = self.from_
        if start is None:
            return False
        if start.unit == self.until.unit:
            return start.count >= self.until.count
        return start.min_days() >= self.until.max_days()


OutcomeWindow = Literal["service", "service_and_follow_up"]
# where the work behind an outcome may count: the service, the service and its follow-up, or
# (requires_active_service) only the days the service really runs, with no grace
Counting = Literal["service", "service_and_follow_up", "active_service"]


def weights_of(*kinds: str) -> dict[EmploymentKind, Decimal]:
    """Each kind at weight 1 (the default weights of a rule that counts work)."""
    return {k: Decimal(1) for k in kinds}  # type: ignore[misc]


class QualifyingWork(Strict):
    """Which work counts, and how much of it: hours or FTE, kinds at a weight."""

    min_hours_per_week: Quantity | None = None
    min_fte: Fraction | None = None
    full_time_hours: Quantity = Field(
        default=Decimal("37.5"), description="hours per week of a full-time job, for FTE")
    kinds: dict[EmploymentKind, Quantity] = Field(
        default_factory=lambda: weights_of("open"),
        description="kind -> weight; a kind left out does not count")


class ComparisonPeriod(Strict):
    """The period compared with a baseline before the service: from an offset after the
    service start, for a length (both default to the service start and the baseline's)."""

    from_: DurationField | None = Field(default=None, alias="from")
    length: LengthField | None = None


# --- what checks and lint ask of a component ------------------------------------------------

PriceRole = Literal["fee", "rate", "budget", "cap"]
# what a fee pays for, for forecasts: "fixed" pays for service delivered or capacity held
# (whatever happens to the customer afterwards), "result" for what the customer achieves
PayBasis = Literal["fixed", "result"]


@dataclass(frozen=True)
class PriceTable:
    """One price table of a component: where it is, what one cell pays, and whether it may be
    priced by evidence level."""

    path: Path  # inside the component
    price: Any  # a Price
    role: PriceRole  # fee: what one line pays; rate: per unit; budget; cap: a limit
    label: str  # "fee", "milestone 2 fee", "full fee": for messages
    by_evidence: bool = False
    # the employment kinds a table by kind must price (the kinds the component counts); empty:
    # the table may not be priced by employment kind
    by_kind: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkRules:
    """The employment a component counts: kinds at weights, and the least hours a week."""

    weights: dict[str, Decimal]
    weights_path: Path  # ("work", "kinds") or ("weights",)
    min_hours: Decimal | None
    min_hours_path: Path
    full_time_hours: Decimal | None = None  # QualifyingWork's, checked above 0 (C211)
    must_count: bool = True  # an empty weights mapping is an error (C211)
    reachable: bool = True  # the kind has thresholds to reach (lint W001)


@dataclass(frozen=True)
class DurationThreshold:
    """A length of qualifying work counted from the service start (an outcome, a step)."""

    need: Any  # a Duration
    what: str
    path: Path


@dataclass(frozen=True)
class SustainmentThreshold:
    """Payments every ``every`` after the last step, at most ``max_count`` of them."""

    every: Any  # a Duration
    max_count: int
    after: Any  # the last step's Duration
    path: Path


@dataclass(frozen=True)
class CalendarThreshold:
    """A number of qualifying calendar weeks or months within a reference period."""

    unit: Literal["weeks", "months"]
    required: int
    reference_period: Any  # a Duration
    path: Path
    # the unit holding the service start counts when it ends after the start day (else only
    # whole units from the start count)
    counts_start_unit: bool = False
    # the reference is the first this many units counted, not ``reference_period``
    within_units: int | None = None


Threshold = DurationThreshold | SustainmentThreshold | CalendarThreshold
# a CalendarThreshold's reference period when only the window (and deadlines) cut it
NO_LIMIT = Duration(1200, "months")


@dataclass(frozen=True)
class WantedEvent:
    """Event rows a component counts: their type, and for the fields it looks at the values
    that count (any one of them); a field not named may hold anything. Synthetic cohorts
    draw such rows (``synth.py``)."""

    type: str
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def values(self, name: str) -> tuple[str, ...] | None:
        """The values that count for field ``name`` (None: any value, or none)."""
        return next((v for n, v in self.fields if n == name), None)


# the fields by which kinds name the rows they count (``ComponentBase.wanted_events``)
_COUNTED_ROWS = (("activities", "hours", "activity"), ("instrument", "survey", "instrument"),
                 ("categories", "expense", "category"))


@dataclass(frozen=True)
class Multiplier:
    """A survey band that multiplies other components' fees (lint W012)."""

    factor: Decimal
    min_score: Decimal
    path: Path


class ComponentBase(Strict):
    """What every fee kind has, and the questions checks and lint ask of any kind.

    A kind overrides the questions that concern it; the defaults answer "nothing".
    """

    id: Identifier
    label: str | None = None
    description: str | None = None
    segments: list[str] | None = Field(
        default=None, description="segments this fee applies to; all when left out")
    cap: Price | None = Field(default=None, description="most this component pays a customer")
    vat: VatTreatment | None = Field(
        default=None, description="this component's own VAT; default metadata.vat_rate")

    @property
    def kind_name(self) -> str:
        return str(getattr(self, "kind", type(self).__name__))

    @property
    def name(self) -> str:
        """ "employment outcome 'result'": the component in messages."""
        return f"{self.kind_name.replace('_', ' ')} '{self.id}'"

    def price_tables(self) -> list[PriceTable]:
        """Every price table, the cap included."""
        return [PriceTable(("cap",), self.cap, "cap", "cap")] if self.cap is not None else []

    def service_month_proration(self) -> str | None:
        """How a fee paid for each service month served pays a month it serves in part
        (``none``, ``daily``, ``full``); None for any other fee (lint: two such fees for the
        same months)."""
        return None

    def months_allowed(self) -> tuple[int, Path] | None:
        """The most months a fee per month pays (``max_months``) and its key, if it has one."""
        return None

    def calendar_months(self) -> bool:
        """Whether a fee paid per month pays calendar months (``months: calendar``) rather
        than service months counted from each customer's start."""
        return False

    def service_phase(self) -> Phase | None:
        """The part of the service the fee pays for, if it has one."""
        return None

    def work_rules(self) -> WorkRules | None:
        """The employment the component counts, if it counts any."""
        return None

    def counting_window(self) -> Counting | None:
        """Where an outcome's work may count, for outcome kinds."""
        return None

    def deadline_date(self) -> date | None:
        """A fixed last day to reach the outcome (``reach_by``)."""
        return None

    def deadline_within(self) -> Duration | None:
        """A time from the service start to reach the outcome in (``reach_within``)."""
        return None

    def counting_window_path(self) -> Path:
        """The key that restricts counting to the service (``window``, or the component)."""
        return ()

    def thresholds(self) -> list[Threshold]:
        """What must be reached, in order (a later one is longer)."""
        return []

    def unbounded(self, contract: Components, seen: frozenset[str] = frozenset()
                  ) -> tuple[str, Path] | None:
        """Why one customer can be paid without limit, and the key to point at (None: the
        component is bounded). ``seen``: components already asked (no loop)."""
        return None

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        """The most this fee's own rules pay one customer, its ``cap`` aside: over its
        cells (segments, evidence levels, kinds) and dates, the largest, times what the rules
        allow (``max_times``, ``max_count``, ...). None: the rules set no bound, or none
        plain from the contract. ``seen``: components already asked (no loop)."""
        return None

    def bound(self, contract: ContractBase, seen: frozenset[str] = frozenset()
              ) -> tuple[Decimal, str] | None:
        """The most this component pays one customer, and what bounds it: the least of its
        ``cap`` (its largest cell) and its rules' maximum (``most_paid``); None when
        neither bounds it."""
        cap = most_of(self.cap) if self.cap is not None else None
        rules = self.most_paid(contract, seen)
        if rules is not None and (cap is None or rules < cap):
            return rules, "its rules"
        return (cap, "its cap") if cap is not None else None

    def answer_condition(self) -> tuple[int, Path] | None:
        """A pay period lost unless the customer answers this many contacts."""
        return None

    def unprorated_periods(self) -> Path | None:
        """The key that makes a pay period cut short by the service end pay nothing."""
        return None

    def paid_on(self) -> tuple[str, Path] | None:
        """The event type that earns the fee, when the fee is paid on an event."""
        return None

    def event_window(self) -> str | None:
        """The window an event fee counts its events in (``contract``, ``service``,
        ``service_and_follow_up``); None for any other fee."""
        return None

    def dated_span(self) -> tuple[date | None, date | None, Path, Path] | None:
        """A fixed span of dates the fee runs (from, until), independent of customers."""
        return None

    def period_spans(self, day: date) -> bool:
        """Whether a period this fee pays for as one continuous service can hold days both
        before ``day`` and from it: a VAT rate that changes on ``day`` then falls inside
        one line (W018)."""
        return False

    def pay_basis(self) -> PayBasis:
        """Whether the fee pays for service delivered ("fixed") or for a result the customer
        reaches ("result"; the default), for the fixed/result split of forecasts."""
        return "result"

    def multipliers(self) -> list[Multiplier]:
        """Factors applied to other components' fees."""
        return []

    def wanted_events(self) -> list[WantedEvent]:
        """The event rows this component counts. The default reads the keys kinds name
        them by: ``event`` with its ``where`` values (a range is left out: any value),
        ``activities`` (hours rows; none given: any hours), ``instrument`` (survey rows),
        ``categories`` (expense rows; none given: any). A kind that counts rows some other
        way says so by overriding this."""
        out = []
        event = getattr(self, "event", None)
        if isinstance(event, str):
            where = getattr(self, "where", None) or {}
            out.append(WantedEvent(event, tuple(
                (k, (v,) if isinstance(v, str) else tuple(v))
                for k, v in where.items() if isinstance(v, str | list))))
        for key, row_type, field in _COUNTED_ROWS:
            if key in type(self).model_fields:
                value = getattr(self, key)
                wanted = (value,) if isinstance(value, str) else tuple(value or ())
                out.append(WantedEvent(row_type, ((field, wanted),) if wanted else ()))
        return out

    def reads_employers(self) -> bool:
        """Whether the component tells jobs apart by their employer (``employer_rules``).
        Synthetic cohorts then write an employer on every job (``synth.py``)."""
        return bool(self.employer_rules())

    def employer_rules(self) -> list[str]:
        """The keys of the rules by which the component tells jobs apart by their employer,
        as written (``work.one_employer``, ``work.exclude_earlier_employer``,
        ``another_employer_each_time``), in that order."""
        work = getattr(self, "work", None)
        found = [("work.one_employer", getattr(work, "one_employer", False)),
                 ("work.exclude_earlier_employer",
                  getattr(work, "exclude_earlier_employer", None) is not None),
                 ("another_employer_each_time",
                  getattr(self, "another_employer_each_time", False))]
        return [key for key, used in found if used]

    def adjusts(self) -> list[str]:
        """The ids of the components whose fees this one adjusts."""
        return []

    def checks(self, site: Site) -> list[Problem]:
        """Problems only this kind can see (``site`` locates them and knows the contract)."""
        return []


class Components(Protocol):
    """Anything that finds a component by id (a contract, or a draft of one)."""

    def component(self, component_id: str) -> ComponentBase | None: ...


Locate = Callable[..., Problem]  # (code, message, *path) -> a located problem


class Site:
    """Where a component's problems are located, and what it may refer to. Given by the
    cross-checks (``contract/checks.py``) to ``ComponentBase.checks``."""

    def __init__(self, *, base: Path, segment_ids: Sequence[str] | None,
                 provider_ids: Sequence[str] | None, component_ids: Sequence[str],
                 err: Locate, key_err: Locate, service_length: Duration | None = None,
                 follow_up: Duration | None = None) -> None:
        self.base = base
        self.segment_ids = segment_ids  # None: the segments have errors
        self.provider_ids = provider_ids  # None: the metadata has errors
        self.component_ids = component_ids
        self.service_length = service_length  # the service's max_length (None: windows bad)
        self.follow_up = follow_up  # the windows' follow_up (None: none, or windows bad)
        self._err = err
        self._key_err = key_err

    def err(self, code: str, message: str, *path: str | int) -> Problem:
        """A problem at ``path`` inside the component."""
        return self._err(code, message, *self.base, *path)

    def key_err(self, code: str, message: str, *path: str | int) -> Problem:
        """A problem with a mapping key itself, inside the component."""
        return self._key_err(code, message, *self.base, *path)


# --- the contract ----------------------------------------------------------------------------

class Alternative(Strict):
    """Components of which a customer is paid only one: the one earned first."""

    components: list[Identifier] = Field(
        min_length=2, description="the components; a tie on the same day goes to the one "
        "listed first")
    label: str | None = None


class Caps(Strict):
    per_customer: Price | None = None
    contract_total: Money | None = None


class Invoicing(Strict):
    """Billing settings (docs/invoicing.md): correction reach and invoice numbering."""

    corrections_months: WholeNumber | None = Field(
        default=None, ge=0,
        description="how many months back corrections reach; left out: no limit")
    number_prefix: Identifier | None = Field(
        default=None, description="invoice numbers start with this; default: metadata.id")
    buyer: BuyerParty | None = Field(
        default=None, description="the buyer as its e-invoices name it, and its references")
    payment_terms_days: WholeNumber | None = Field(
        default=None, ge=0, le=365, description="days from the issue date to the due date")
    payment_reference: PaymentReference = Field(
        default="finnish", description="the payment reference: Finnish (viitenumero) or RF")
    vat: VatTreatment | None = Field(
        default=None, description="the VAT of every component that names none of its own, "
        "e.g. {category: O} when the contract's services are not subject to VAT")


class AcceptedWarning(Strict):
    """A lint warning accepted on purpose (docs/lint.md); ``reason`` says why."""

    code: str = Field(description="a lint code, W and three digits (W005)")
    component: str | None = Field(
        default=None, description="accept it for this component id only; all when left out")
    reason: str = Field(min_length=1, pattern=r"\S")

    @field_validator("code")
    @classmethod
    def _lint_code(cls, value: str) -> str:
        if not re.fullmatch(r"W\d{3}", value):
            raise PydanticCustomError(
                "lint_code", "'{value}' is not a lint code: write W and three digits, as "
                "docs/lint.md names them (W005)", {"value": value[:20]})
        return value


class ExpectedLine(Strict):
    """A line a worked example must give (what the contract's author says it pays)."""

    customer: str = Field(min_length=1)
    component: Identifier
    status: Literal["payable", "pending", "not_earned"] = "payable"
    amount: SignedMoney  # a line's amount: to the cent (a negative adjustment too)
    occurrence: str | None = None
    date: IsoDate | None = None


class WorkedExample(Strict):
    """A small customer timeline and the lines it must give, written in the contract (as
    OpenFisca's YAML tests): ``rewardengine test CONTRACT`` runs them."""

    name: str = Field(min_length=1)
    as_of: IsoDate
    events: str = Field(min_length=1, description="event rows as CSV, the header first")
    expect: list[ExpectedLine] = Field(default_factory=list)
    exact: bool = Field(
        default=True, description="every payable line of the example must be expected")


class ContractBase(Strict):
    """A contract; ``contract_class`` gives ``components`` the union of the kinds' models."""

    metadata: Metadata
    segments: Segmentation | None = None
    windows: Windows
    components: Sequence[ComponentBase] = Field(min_length=1)
    alternatives: list[Alternative] = Field(
        default_factory=list,
        description="groups of components of which a customer is paid only the one earned "
                    "first")
    caps: Caps = Field(default_factory=Caps)
    invoicing: Invoicing | None = None
    accept: list[AcceptedWarning] = Field(
        default_factory=list, description="lint warnings accepted on purpose, with a reason")
    tests: list[WorkedExample] = Field(
        default_factory=list, description="worked examples: timelines and what they must pay")

    def segment_ids(self) -> list[str]:
        return [s.id for s in self.segments.tiers] if self.segments else ["default"]

    def component(self, component_id: str) -> ComponentBase | None:
        return next((c for c in self.components if c.id == component_id), None)


# the top-level parts of a contract, in the order they are checked
PARTS: tuple[str, ...] = ("metadata", "segments", "windows", "components", "alternatives",
                          "caps", "invoicing", "accept", "tests")


def kind_of(model: type[ComponentBase]) -> str:
    """The ``kind`` a component model is written with (its ``kind`` Literal)."""
    (name,) = get_args(model.model_fields["kind"].annotation)
    return str(name)


def contract_class(models: Sequence[type[ComponentBase]]) -> type[ContractBase]:
    """The full contract model: ``components`` is the union of ``models``, told apart by
    ``kind`` (for validation of a whole contract and the JSON Schema)."""
    union: Any = Union[tuple(models)]  # noqa: UP007  (a union built from a list)
    component = Annotated[union, Field(discriminator="kind")]
    model: type[ContractBase] = create_model(
        "Contract", __base__=ContractBase, components=(list[component], Field(min_length=1)))
    return model
