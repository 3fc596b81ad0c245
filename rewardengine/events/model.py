"""One pydantic model per event type (``extra="forbid"``); see docs/events.md.

Every event carries where it was read from (``file``, ``row``) so that each problem and each
result line can point at the row behind it. Those two are set by the readers, never by input.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import Source
from ..values import Fraction, IsoDate, Money, Number, Quantity, WholeNumber

EmploymentKind = Literal["open", "subsidised", "entrepreneur", "apprenticeship"]
MAX_BENEFIT_DAYS = 36_600  # a hundred years of days: more is a typing error
EvidenceLevel = Literal["register", "te_office", "employer", "self_report"]


class EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Annotated[str, Field(min_length=1, max_length=128)]
    customer_id: Annotated[str, Field(min_length=1, max_length=128)]
    date: IsoDate
    recorded: IsoDate | None = None
    end: IsoDate | None = None
    spell_id: str | None = None
    void: bool = False
    file: str = ""
    row: int = 0

    @property
    def known_on(self) -> dt.date:
        """When the fact became known (``recorded``, defaulting to ``date``)."""
        return self.recorded or self.date

    @property
    def source(self) -> Source:
        return Source(self.file, row=self.row)

    @model_validator(mode="after")
    def _end_not_before_start(self) -> EventBase:
        if self.end is not None and self.end < self.date:
            raise ValueError(f"end {self.end} is before date {self.date}")
        return self


class Referral(EventBase):
    type: Literal["referral"]
    provider: str | None = None
    segment: str | None = None
    unemployed_since: IsoDate | None = None
    birth_date: IsoDate | None = None
    partial_work_ability: bool | None = None
    benefit_days: Annotated[WholeNumber, Field(ge=0)] | None = None
    attributes: dict[str, str] = Field(default_factory=dict)


class ServiceStart(EventBase):
    type: Literal["service_start"]
    provider: str | None = None


class ServiceEnd(EventBase):
    type: Literal["service_end"]
    reason: str | None = None


class Hours(EventBase):
    type: Literal["hours"]
    hours: Quantity
    activity: str | None = None
    provider: str | None = None  # the consortium member that delivered them


class Contact(EventBase):
    type: Literal["contact"]
    responded: bool
    provider: str | None = None  # the consortium member that made the contact


class Employment(EventBase):
    """A job: ``date`` is its first day, ``end`` its last day (empty while ongoing);
    ``employer`` identifies the employment relationship's employer (a business id or any
    stable code), for rules that ask for one employer."""

    type: Literal["employment"]
    hours_per_week: Quantity | None = None
    fte: Fraction | None = None
    kind: EmploymentKind
    evidence: EvidenceLevel
    wage: Money | None = None
    employer: Annotated[str, Field(min_length=1, max_length=128)] | None = None

    @model_validator(mode="after")
    def _has_extent(self) -> Employment:
        if self.hours_per_week is None and self.fte is None:
            raise ValueError("an employment needs hours_per_week or fte")
        return self


class Education(EventBase):
    type: Literal["education"]
    kind: str | None = None


class Benefit(EventBase):
    """Benefit paid for a month: ``date`` is any day of that month (normally the first).

    ``cumulative_days``: the customer's benefit days paid in all, up to and including this
    row's ``days`` (the counter the payer keeps, which decides a municipality's share)."""

    type: Literal["benefit"]
    days: Annotated[WholeNumber, Field(ge=0, le=31)] | None = None
    amount: Money | None = None
    cumulative_days: Annotated[WholeNumber, Field(ge=0, le=MAX_BENEFIT_DAYS)] | None = None

    @model_validator(mode="after")
    def _has_measure(self) -> Benefit:
        if self.days is None and self.amount is None:
            raise ValueError("a benefit row needs days or amount")
        if self.cumulative_days is not None and self.days is not None \
                and self.cumulative_days < self.days:
            raise ValueError(f"cumulative_days {self.cumulative_days} is less than the row's "
                             f"own days {self.days}")
        return self


class Earnings(EventBase):
    """Earnings paid to the customer, counted in the calendar month (or week) of ``date``: the
    pay date, as the income register reports wages. Several rows of one month add up."""

    type: Literal["earnings"]
    amount: Money
    evidence: EvidenceLevel
    kind: EmploymentKind = "open"

    @model_validator(mode="after")
    def _no_end(self) -> Earnings:
        if self.end is not None:
            raise ValueError("an earnings row has no end: it counts in the month of its date "
                             "(the pay date)")
        return self


class Survey(EventBase):
    type: Literal["survey"]
    instrument: Annotated[str, Field(min_length=1)]
    score: Number


class Expense(EventBase):
    type: Literal["expense"]
    amount: Money
    description: str | None = None
    category: str | None = None
    provider: str | None = None  # the consortium member that paid it


Event = Annotated[
    Referral | ServiceStart | ServiceEnd | Hours | Contact | Employment | Education | Benefit
    | Survey | Expense | Earnings,
    Field(discriminator="type"),
]

EVENT_MODELS: dict[str, type[EventBase]] = {
    "referral": Referral, "service_start": ServiceStart, "service_end": ServiceEnd,
    "hours": Hours, "contact": Contact, "employment": Employment, "education": Education,
    "benefit": Benefit, "survey": Survey, "expense": Expense, "earnings": Earnings,
}
COMMON_FIELDS = ("event_id", "customer_id", "type", "date", "recorded", "end", "spell_id",
                 "void")


def fields_of(event_type: str) -> set[str]:
    model = EVENT_MODELS[event_type]
    return set(model.model_fields) - {"file", "row", "attributes"}


ALL_FIELDS: frozenset[str] = frozenset(
    f for t in EVENT_MODELS for f in fields_of(t)) | frozenset(COMMON_FIELDS)
