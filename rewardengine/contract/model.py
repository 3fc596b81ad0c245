"""The contract language as pydantic models (``extra="forbid"``: unknown keys are errors).

Every key is described in docs/contract-language.md. Values arrive as the strings written in
YAML; the value types in ``rewardengine.values`` parse them exactly.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from ..values import DurationField, Fraction, IsoDate, Money, Number, Quantity, WholeNumber

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]

EmploymentKind = Literal["open", "subsidised", "entrepreneur", "apprenticeship"]
EMPLOYMENT_KINDS: tuple[str, ...] = ("open", "subsidised", "entrepreneur", "apprenticeship")
EvidenceLevel = Literal["register", "te_office", "employer", "self_report"]
# strongest first: an upgrade moves left in this tuple
EVIDENCE_LEVELS: tuple[str, ...] = ("register", "te_office", "employer", "self_report")

EventType = Literal[
    "referral", "service_start", "service_end", "hours", "contact", "employment",
    "education", "benefit", "survey", "expense",
]



def _by_shape(value: Any) -> str:
    """Pick a union branch by the shape of what was written, so errors name one branch."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a scalar"


# A price: one amount; or a mapping by segment id; or by evidence level; or segment -> evidence.
PriceCell = Annotated[
    Annotated[Money, Tag("a scalar")] | Annotated[dict[str, Money], Tag("a mapping")],
    Discriminator(_by_shape),
]
Price = Annotated[
    Annotated[Money, Tag("a scalar")] | Annotated[dict[str, PriceCell], Tag("a mapping")],
    Discriminator(_by_shape),
]
StrOrList = Annotated[
    Annotated[str, Tag("a scalar")] | Annotated[list[str], Tag("a list")]
    | Annotated[list[str], Tag("a mapping")],
    Discriminator(_by_shape),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- metadata -------------------------------------------------------------------------------

class Provider(Strict):
    id: Identifier
    name: str
    business_id: str | None = None


class Metadata(Strict):
    id: Identifier
    title: str
    version: str
    buyer: str
    providers: list[Provider] = Field(min_length=1)
    currency: Literal["EUR"] = "EUR"
    vat_rate: Fraction = Decimal("0")
    valid_from: IsoDate
    valid_until: IsoDate
    illustrative: bool = Field(
        default=True, description="true when amounts are not the contract's published prices")
    source: str | None = None


# --- segments -------------------------------------------------------------------------------

class Range(Strict):
    """Half-open ``[min, max)``: ``min`` inclusive, ``max`` exclusive; either may be left out."""

    min: Number | None = None
    max: Number | None = None


Condition = Annotated[
    Annotated[Range, Tag("a mapping")] | Annotated[bool, Tag("a scalar")]
    | Annotated[list[str], Tag("a list")],
    Discriminator(_by_shape),
]

SEGMENT_ATTRIBUTES = (
    "unemployment_days", "unemployment_months", "age", "benefit_days", "partial_work_ability",
)


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


class Phase(Strict):
    """A part of the service window, as offsets from the service start: ``[from, until)``."""

    from_: DurationField | None = Field(default=None, alias="from")
    until: DurationField


OutcomeWindow = Literal["service", "service_and_follow_up"]


# --- components -----------------------------------------------------------------------------

class ComponentBase(Strict):
    id: Identifier
    label: str | None = None
    description: str | None = None
    segments: list[str] | None = Field(
        default=None, description="segments this fee applies to; all when left out")
    cap: Price | None = Field(default=None, description="most this component pays a customer")


class EventFee(ComponentBase):
    kind: Literal["event_fee"]
    event: EventType
    where: dict[str, StrOrList] = Field(default_factory=dict)
    per: Literal["once", "each"] = "once"
    amount: Price
    max_count: WholeNumber | None = Field(default=None, ge=1)
    window: Literal["contract", "service", "service_and_follow_up"] = "contract"


class HourlyFee(ComponentBase):
    kind: Literal["hourly_fee"]
    rate: Price
    phase: Phase | None = None
    activities: list[str] | None = None
    max_hours: Quantity | None = None


class ContactCondition(Strict):
    min_responded_contacts: WholeNumber = Field(default=1, ge=1)


class MonthlyFee(ComponentBase):
    kind: Literal["monthly_fee"]
    amount: Price
    phase: Phase | None = None
    condition: ContactCondition | None = None
    proration: Literal["none", "daily", "full"] = "none"
    max_months: WholeNumber | None = Field(default=None, ge=1)


class CapacityFee(ComponentBase):
    kind: Literal["capacity_fee"]
    amount: Money
    provider: str | None = None
    from_: IsoDate | None = Field(default=None, alias="from")
    until: IsoDate | None = None


def _weights(*kinds: str) -> dict[EmploymentKind, Decimal]:
    return {k: Decimal(1) for k in kinds}  # type: ignore[misc]


class QualifyingWork(Strict):
    """Which work counts, and how much of it: hours or FTE, kinds at a weight."""

    min_hours_per_week: Quantity | None = None
    min_fte: Fraction | None = None
    full_time_hours: Quantity = Field(
        default=Decimal("37.5"), description="hours per week of a full-time job, for FTE")
    kinds: dict[EmploymentKind, Quantity] = Field(
        default_factory=lambda: _weights("open"),
        description="kind -> weight; a kind left out does not count")


class EmploymentOutcome(ComponentBase):
    kind: Literal["employment_outcome"]
    work: QualifyingWork = Field(default_factory=QualifyingWork)
    min_duration: DurationField
    counting: Literal["continuous", "cumulative"] = "continuous"
    max_gap: DurationField | None = None
    window: OutcomeWindow = "service_and_follow_up"
    reach_by: IsoDate | None = None
    amount: Price
    max_times: WholeNumber = Field(default=1, ge=1)
    requires_active_service: bool = False


class Milestone(Strict):
    after: DurationField
    amount: Price


class Sustainment(Strict):
    every: DurationField
    amount: Price
    max_count: WholeNumber = Field(ge=1)


class BenefitTest(Strict):
    """Full outcome when benefit falls by ``full_fall``; partial at ``partial_fall``."""

    measure: Literal["days", "amount"] = "amount"
    baseline: DurationField
    full_fall: Fraction = Decimal(1)
    partial_fall: Fraction | None = None
    partial_share: Fraction | None = None
    compare: Literal["rolling_months", "outcome_period"] = Field(
        default="rolling_months",
        description="rolling_months: the whole months of a baseline-long period ending on the "
                    "step's day; outcome_period: the months of the work the step rests on")


class Milestones(ComponentBase):
    kind: Literal["milestones"]
    work: QualifyingWork = Field(default_factory=QualifyingWork)
    counting: Literal["continuous", "cumulative"] = "continuous"
    max_gap: DurationField | None = None
    window: OutcomeWindow = "service_and_follow_up"
    reach_by: IsoDate | None = None
    steps: list[Milestone] = Field(min_length=1)
    sustainment: Sustainment | None = None
    benefit_test: BenefitTest | None = None


class EmploymentCondition(ComponentBase):
    kind: Literal["employment_condition"]
    unit: Literal["weeks", "months"]
    min_hours_per_week: Quantity | None = None
    min_monthly_wage: Money | None = None
    required: WholeNumber = Field(ge=1)
    reference_period: DurationField
    weights: dict[EmploymentKind, Quantity] = Field(
        default_factory=lambda: _weights(*EMPLOYMENT_KINDS))
    amount: Price
    reach_by: IsoDate | None = None


class ComparisonPeriod(Strict):
    from_: DurationField | None = Field(default=None, alias="from")
    length: DurationField | None = None


class WorkHistory(ComponentBase):
    kind: Literal["work_history"]
    baseline: DurationField
    comparison: ComparisonPeriod = Field(default_factory=ComparisonPeriod)
    count: list[Literal["work", "education"]] = Field(min_length=1)
    work: QualifyingWork = Field(default_factory=QualifyingWork)
    rate: Price
    min_extra_days: WholeNumber = Field(default=1, ge=1)


class Threshold(Strict):
    min_fall: Fraction
    amount: Price


class BenefitReduction(ComponentBase):
    kind: Literal["benefit_reduction"]
    measure: Literal["days", "amount"]
    baseline: DurationField
    comparison: ComparisonPeriod = Field(default_factory=ComparisonPeriod)
    full: Threshold
    partial: Threshold | None = None


class Band(Strict):
    min_score: Number
    amount: Price | None = None
    factor: Quantity | None = None


class SurveyAdjustment(ComponentBase):
    kind: Literal["survey_adjustment"]
    instrument: str
    score: Literal["latest", "change"] = "latest"
    mode: Literal["bonus", "multiplier"] = "bonus"
    applies_to: list[str] = Field(default_factory=list)
    bands: list[Band] = Field(min_length=1)


class ReimbursedExpenses(ComponentBase):
    kind: Literal["reimbursed_expenses"]
    budget: Price
    categories: list[str] | None = None


Component = Annotated[
    EventFee | HourlyFee | MonthlyFee | CapacityFee | EmploymentOutcome | Milestones
    | EmploymentCondition | WorkHistory | BenefitReduction | SurveyAdjustment
    | ReimbursedExpenses,
    Field(discriminator="kind"),
]

COMPONENT_KINDS: tuple[str, ...] = (
    "event_fee", "hourly_fee", "monthly_fee", "capacity_fee", "employment_outcome",
    "milestones", "employment_condition", "work_history", "benefit_reduction",
    "survey_adjustment", "reimbursed_expenses",
)


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


class AcceptedWarning(Strict):
    """A lint warning accepted on purpose (docs/lint.md); ``reason`` says why."""

    code: str = Field(pattern=r"^W\d{3}$")
    component: str | None = Field(
        default=None, description="accept it for this component id only; all when left out")
    reason: str = Field(min_length=1, pattern=r"\S")


class Contract(Strict):
    metadata: Metadata
    segments: Segmentation | None = None
    windows: Windows
    components: list[Component] = Field(min_length=1)
    caps: Caps = Field(default_factory=Caps)
    invoicing: Invoicing | None = None
    accept: list[AcceptedWarning] = Field(
        default_factory=list, description="lint warnings accepted on purpose, with a reason")

    def segment_ids(self) -> list[str]:
        return [s.id for s in self.segments.tiers] if self.segments else ["default"]

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)
