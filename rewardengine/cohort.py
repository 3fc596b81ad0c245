"""A cohort: who is referred, and what happens to them, as chances and distributions.

A cohort file is YAML, checked like a contract (``FILE:LINE:COL`` on every problem, codes
``G1xx``; ``cohort_schema()`` is its JSON Schema). It says how many customers are referred
and when (``size``, or ``per_month``), the segment mix, and per segment (``profiles``, with
``default`` for every segment not named) the chances and distributions that matter to fees:
the share reaching a job and the time to it, job length, hours per week, the share
subsidised, the evidence mix and the delay until the income register confirms a
self-report, contact response, hours delivered per month, work before the service (the job
the unemployment followed), education, surveys, benefit days, wages and expenses. Every
key has a documented default (``docs/cohort.md``), so an empty file (or no file) is the
default cohort.

The generator (``synth.py``) draws one customer at a time from a cohort and a random stream,
so the same cohort serves whole synthetic files and Monte Carlo runs alike. Nothing here
draws a number: this module only describes.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from .cohortwords import FORMS, comma_problems, located, mix_problems, split_duplicates
from .errors import Problem, Source
from .values import Fraction, IsoDate
from .yamlsource import (
    MAX_CONTRACT_BYTES,
    Path,
    YamlDocument,
    decode_utf8,
    parse_yaml,
    read_bytes,
)

Share = Fraction  # a chance or a share, 0 to 1, written exactly


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Normal(_Strict):
    mean: float
    sd: float = Field(ge=0)


class LogNormal(_Strict):
    median: float = Field(gt=0)
    sigma: float = Field(ge=0)


class Mean(_Strict):
    mean: float = Field(ge=0)


def _fixed_number(value: Any) -> Any:
    """A plain number is a fixed value: ``hours_per_week: 37.5``."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return {"fixed": value}
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return {"fixed": number} if math.isfinite(number) else value
    return value


class _Distribution(_Strict):
    """One of ``fixed``, ``uniform: [low, high]``, ``normal: {mean, sd}``,
    ``lognormal: {median, sigma}``, ``exponential: {mean}``, ``poisson: {mean}``,
    ``empirical: [q0, ..., q100]`` (equally spaced quantiles, as ``cohort fit`` writes them:
    drawn by linear interpolation between them); drawn values are clamped to ``min`` and
    ``max``. A plain number is ``fixed``."""

    fixed: float | None = None
    uniform: tuple[float, float] | None = None
    normal: Normal | None = None
    lognormal: LogNormal | None = None
    exponential: Mean | None = None
    poisson: Mean | None = None
    empirical: list[float] | None = Field(default=None, min_length=1, max_length=1001)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> _Distribution:
        given = [n for n in FORMS if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of fixed, uniform, normal, lognormal, "
                             f"exponential, poisson, empirical (got {', '.join(given) or 'none'})")
        # a parameter that is not finite (inf, 1e400, nan) would be drawn; min and max may be
        # unbounded (inf), never nan
        for form in given:
            value = getattr(self, form)
            values = value.model_dump().values() if isinstance(value, BaseModel) else (
                value if isinstance(value, (list, tuple)) else [value])
            if not all(math.isfinite(v) for v in values):
                raise ValueError(f"{form}: a number that is not finite (inf or nan)")
        if any(v is not None and math.isnan(v) for v in (self.min, self.max)):
            raise ValueError("min and max are numbers (or left out), not nan")
        if self.empirical is not None and self.empirical != sorted(self.empirical):
            raise ValueError("empirical: the quantiles must not decrease")
        if self.uniform is not None and self.uniform[0] > self.uniform[1]:
            raise ValueError("uniform: the low end is above the high end")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self

    def __getstate__(self) -> dict[Any, Any]:
        """Pickled without the sampler worked out (a closure): the other process works it out
        again."""
        state = super().__getstate__()
        state["__dict__"] = {k: v for k, v in state["__dict__"].items()
                             if k != "sampler"}
        return state

    def draw(self, u: float, v: float) -> float:
        """The value at uniform draws ``u`` and ``v`` (inverse transforms, so one customer
        always takes the same number of draws)."""
        return self.sampler(u, v)

    def vector(self, u: Any, v: Any) -> Any:
        """``draw`` of arrays of uniform draws at once (numpy): the same arithmetic as
        ``sampler``, element by element (``tests/test_cohort`` holds them together)."""
        return _clamped_vector(self._bare_vector(u, v), self.min, self.max,
                               self.poisson is not None)

    @property
    def vector_table(self) -> Any:
        """A Poisson's cumulative probabilities (cut as ``sampler`` cuts them), or the
        empirical quantiles, as an array worked out once (kept beside the model, not in it:
        an array in a model's fields would break its equality)."""
        key = ("poisson", self.poisson.mean, _poisson_cut(self.max)) \
            if self.poisson is not None else ("empirical", *(self.empirical or ()))
        table = _VECTOR_TABLES.get(key)
        if table is None:
            if len(_VECTOR_TABLES) >= 1000:
                _VECTOR_TABLES.clear()
            table = _VECTOR_TABLES[key] = np.array(
                _poisson_totals(key[1])[:key[2]] if self.poisson is not None else key[1:],
                dtype=float)
        return table

    def _bare_vector(self, u: Any, v: Any) -> Any:
        if self.fixed is not None:
            return np.full(np.shape(u), self.fixed, dtype=float)
        if self.uniform is not None:
            return self.uniform[0] + u * (self.uniform[1] - self.uniform[0])
        if self.exponential is not None:
            return -self.exponential.mean * np.log1p(-u)
        if self.poisson is not None:
            return np.searchsorted(self.vector_table, u, side="left").astype(float)
        if self.empirical is not None:
            q = self.vector_table
            if len(q) == 1:
                return np.full(np.shape(u), q[0], dtype=float)
            h = u * (len(q) - 1)
            lo = np.minimum(h.astype(np.int64), len(q) - 2)
            return q[lo] + (h - lo) * (q[lo + 1] - q[lo])
        if self.normal is not None:
            return self.normal.mean + self.normal.sd * (
                np.sqrt(-2.0 * np.log1p(-u)) * np.cos(_TWO_PI * v))
        assert self.lognormal is not None
        return self.lognormal.median * np.exp(self.lognormal.sigma * (
            np.sqrt(-2.0 * np.log1p(-u)) * np.cos(_TWO_PI * v)))

    @functools.cached_property
    def sampler(self) -> Callable[[float, float], float]:
        """``draw`` worked out once: the distribution's function with its parameters bound
        (a Monte Carlo run draws millions of values; the same arithmetic, in the same order,
        so the same numbers)."""
        return _clamped(self._bare(), self.min, self.max, self.poisson is not None)

    def _bare(self) -> Callable[[float, float], float]:
        """The draw before clamping, one closure holding its arithmetic (a call per level
        cost more than the draw)."""
        if self.fixed is not None:
            value = self.fixed
            return lambda u, v: value
        if self.uniform is not None:
            low, width = self.uniform[0], self.uniform[1] - self.uniform[0]
            return lambda u, v: low + u * width
        if self.exponential is not None:
            mean = self.exponential.mean
            return lambda u, v: -mean * _log1p(-u)
        if self.poisson is not None:
            # the cumulative probabilities, cut where the largest count drawn is reached
            totals = _poisson_totals(self.poisson.mean)[:_poisson_cut(self.max)]
            return lambda u, v: float(_bisect_left(totals, u))
        if self.empirical is not None:
            quantiles = self.empirical
            return lambda u, v: _interpolated(quantiles, u)
        if self.normal is not None:
            mu, sd = self.normal.mean, self.normal.sd
            return lambda u, v: mu + sd * (_sqrt(-2.0 * _log1p(-u)) * _cos(_TWO_PI * v))
        assert self.lognormal is not None
        median, sigma = self.lognormal.median, self.lognormal.sigma
        return lambda u, v: median * _exp(sigma * (_sqrt(-2.0 * _log1p(-u))
                                                   * _cos(_TWO_PI * v)))


_VECTOR_TABLES: dict[tuple[Any, ...], Any] = {}  # see ``vector_table``
_log1p, _sqrt, _cos, _exp, _bisect_left = math.log1p, math.sqrt, math.cos, math.exp, bisect_left
_TWO_PI = 2.0 * math.pi  # as ``2.0 * math.pi * v`` groups it: the same floats


def _poisson_cut(high: float | None) -> int:
    """How many cumulative probabilities a Poisson draw looks at: the count it returns is at
    most this (so a whole ``max`` needs no clamping after it)."""
    if high is not None and 0 < high < math.inf and high == int(high):
        return min(int(high), _POISSON_MOST)
    return _POISSON_MOST


def _clamped(bare: Callable[[float, float], float], low: float | None, high: float | None,
             poisson: bool) -> Callable[[float, float], float]:
    """``bare`` clamped to ``low`` and ``high`` as ``min(max(x, low), high)`` does it."""
    if poisson and (high is None or high == _poisson_cut(high)):
        high = None  # the count is cut already
    if low is None and high is None:
        return bare
    floor = -math.inf if low is None else low  # max(x, -inf) and min(x, inf) are x
    ceiling = math.inf if high is None else high

    def clamped(u: float, v: float) -> float:
        x = bare(u, v)
        x = floor if floor > x else x  # max(x, floor)
        return ceiling if ceiling < x else x  # min(x, ceiling)
    return clamped


def _clamped_vector(x: Any, low: float | None, high: float | None, poisson: bool) -> Any:
    """``_clamped`` of an array: the same comparisons, so the same floats (and zeros' signs)."""
    if poisson and (high is None or high == _poisson_cut(high)):
        high = None
    if low is not None:
        x = np.where(low > x, low, x)
    if high is not None:
        x = np.where(high < x, high, x)
    return x


def _interpolated(quantiles: list[float], u: float) -> float:
    """The value at ``u`` between equally spaced quantiles (linear between them)."""
    if len(quantiles) == 1:
        return quantiles[0]
    h = u * (len(quantiles) - 1)
    lo = min(int(h), len(quantiles) - 2)
    return quantiles[lo] + (h - lo) * (quantiles[lo + 1] - quantiles[lo])


_POISSON_MOST = 1000  # the largest count drawn


def _poisson(mean: float, u: float) -> float:
    """The Poisson quantile at ``u`` (inverse CDF; means are small here): the first count
    whose cumulative probability reaches ``u``."""
    k, p = 0, math.exp(-mean)
    total = p
    while u > total and k < _POISSON_MOST:
        k += 1
        p *= mean / k
        total += p
    return float(k)


def _poisson_totals(mean: float) -> list[float]:
    """The cumulative probabilities ``_poisson`` sums, in its order (so the same floats), for
    every count: a draw halves over them instead of summing them again."""
    p = math.exp(-mean)
    totals = [p]
    for k in range(1, _POISSON_MOST + 1):
        p *= mean / k
        totals.append(totals[-1] + p)
    return totals


Distribution = Annotated[_Distribution, BeforeValidator(_fixed_number)]


def _reach(d: _Distribution) -> float:
    """The largest magnitude a draw can take (``bounds``)."""
    low, high = bounds(d)
    return max(abs(low), abs(high))


def bounds(d: _Distribution) -> tuple[float, float]:
    """The lowest and highest values a draw can take, clamped by ``min`` and ``max``: for the
    forms without bounds, ten standard deviations (or 40 means of an exponential), which no
    draw from 53-bit uniforms passes."""
    if d.fixed is not None:
        low, high = d.fixed, d.fixed
    elif d.uniform is not None:
        low, high = d.uniform
    elif d.empirical is not None:
        low, high = d.empirical[0], d.empirical[-1]
    elif d.normal is not None:
        low, high = d.normal.mean - 10 * d.normal.sd, d.normal.mean + 10 * d.normal.sd
    elif d.lognormal is not None:
        spread = 10 * d.lognormal.sigma
        low, high = 0.0, d.lognormal.median * math.exp(spread) if spread < 700 else math.inf
    elif d.exponential is not None:
        low, high = 0.0, 40 * d.exponential.mean
    else:
        assert d.poisson is not None
        low, high = 0.0, d.poisson.mean + 10 * math.sqrt(d.poisson.mean) + 10
    if d.min is not None:
        low, high = max(low, d.min), max(high, d.min)
    if d.max is not None:
        low, high = min(low, d.max), min(high, d.max)
    return low, high


def _at_most(limit: int, unit: str, why: str) -> Callable[[_Distribution], _Distribution]:
    """A distribution whose draws stay within ``limit``: a count of days, months or rows
    beyond any real one would make dates no calendar has, or rows without end."""
    def check(d: _Distribution) -> _Distribution:
        reach = _reach(d)
        if reach > limit:
            shown = (f"{reach:,.0f}" if reach < 1e6 else f"{reach:.3g}") if reach < math.inf \
                else "no bound"
            raise ValueError(f"its draws reach {shown} {unit}; at most {limit:,} {unit} "
                             f"({why}): give a smaller value, or a max")
        return d
    return check


def _not_negative(d: _Distribution) -> _Distribution:
    """A distribution of a count, a length, a share or an amount: no draw below 0 (a drawn
    row with a negative amount or hours would stop a run part-way, far from the line that
    asked for it). The lowest draw is taken as ``bounds`` takes it (ten standard
    deviations), so a normal needs a ``min``."""
    low = bounds(d)[0]
    if low < 0:
        shown = f"{low:,.4g}" if low > -math.inf else "no bound"
        raise ValueError(f"its draws go below 0 (down to {shown}); a count, a length, a "
                         "share or an amount is never negative: give min: 0, or a min "
                         "above it")
    return d


CENTURY = "a hundred years"
_D = _Distribution
_N = BeforeValidator(_fixed_number)
_P = AfterValidator(_not_negative)
Days = Annotated[_D, _N, _P, AfterValidator(_at_most(36_600, "days", CENTURY))]  # between dates
# days from one date to another that may come first (a job begun before the service starts)
Offset = Annotated[_D, _N, AfterValidator(_at_most(36_600, "days", CENTURY))]
Years = Annotated[_D, _N, _P, AfterValidator(_at_most(150, "years", "a life"))]
Months = Annotated[_D, _N, _P, AfterValidator(_at_most(1_200, "months", CENTURY))]
MonthDays = Annotated[_D, _N, _P, AfterValidator(_at_most(31, "days", "the days of a month"))]
WeekHours = Annotated[_D, _N, _P, AfterValidator(_at_most(168, "hours",
                                                          "the hours of a week"))]
MonthHours = Annotated[_D, _N, _P, AfterValidator(_at_most(744, "hours",
                                                           "the hours of a month"))]
PerMonth = Annotated[_D, _N, _P, AfterValidator(_at_most(100, "a month",
                                                         "rows of one kind a month"))]
JobCount = Annotated[_D, _N, _P, AfterValidator(_at_most(100, "jobs",
                                                         "further jobs of one customer"))]
# an amount a drawn row holds (a wage, a benefit's daily amount, an expense): an event row's
# amount is below 10^15, and a month's benefit row is 31 days of the daily amount
Amount = Annotated[_D, _N, _P, AfterValidator(_at_most(10 ** 12, "in amount",
                                                       "the most a drawn row may hold"))]


def _within_one(d: _Distribution) -> _Distribution:
    """A share of a length, drawn: an early end comes before the longest service ends."""
    high = bounds(d)[1]
    if high > 1:
        shown = f"{high:,.4g}" if high < math.inf else "no bound"
        raise ValueError(f"its draws go above 1 (up to {shown}); a service that ends early "
                         "ends within its longest length: give max: 1, or values up to 1")
    return d


LengthShare = Annotated[_D, _N, _P, AfterValidator(_within_one)]


def _full_time(hours: float) -> float:
    if not 0 < hours <= 168:
        raise ValueError(f"{hours:g} hours are no full-time week; write the hours of one, "
                         "above 0 and at most 168 (e.g. 37.5)")
    return hours


FullTime = Annotated[float, AfterValidator(_full_time)]


def dist(**kw: Any) -> _Distribution:
    return _Distribution(**kw)


# the evidence levels an event row may hold: a cohort that draws another is refused where
# it is written, not when a drawn row fails the event check
Evidence = Literal["register", "te_office", "employer", "self_report"]


def _default_evidence() -> dict[Evidence, Decimal]:
    return {"register": Decimal("0.55"), "te_office": Decimal("0.1"),
            "employer": Decimal("0.1"), "self_report": Decimal("0.25")}


class Jobs(_Strict):
    """Work: who finds it, when, how much, and how it is evidenced."""

    share: Share = Decimal("0.55")  # reaches at least one job
    days_to_first: Offset = dist(exponential=Mean(mean=120), max=900)  # from the start
    length_days: Days = dist(lognormal=LogNormal(median=150, sigma=0.9), min=7, max=1500)
    ongoing: Share = Decimal("0.25")  # has no end date yet
    more: JobCount = dist(poisson=Mean(mean=0.6), max=6)  # further jobs after the first
    gap_days: Days = dist(uniform=(7, 120))  # between jobs
    hours_per_week: WeekHours = dist(normal=Normal(mean=32, sd=8), min=4, max=40)
    full_time_hours: FullTime = 37.5  # fte = hours / this, cut at 1
    subsidised: Share = Decimal("0.15")
    apprenticeship: Share = Decimal("0.03")
    entrepreneur: Share = Decimal("0.02")
    evidence: dict[Evidence, Share] = Field(default_factory=_default_evidence)
    confirmed: Share = Decimal("0.7")  # self-reports later confirmed by a register row
    confirm_delay_days: Days = dist(uniform=(20, 100))
    end_recorded_delay_days: Days = dist(uniform=(5, 60))  # the end, recorded later
    wage: Amount = dist(normal=Normal(mean=2300, sd=600), min=600, max=8000)
    voided: Share = Decimal("0.02")  # a job retracted later (a void row)

    @model_validator(mode="after")
    def _kinds_fit(self) -> Jobs:
        """The kinds other than open work are shares of one whole (drawn as consecutive
        bounds): more than 1 in all would leave the last unreached, silently."""
        total = self.subsidised + self.apprenticeship + self.entrepreneur
        if total > 1:
            raise ValueError(f"subsidised {self.subsidised}, apprenticeship "
                             f"{self.apprenticeship} and entrepreneur {self.entrepreneur} "
                             f"add up to {total}, above 1: they are shares of the jobs (the "
                             "rest are open jobs)")
        return self


class EarlierWork(_Strict):
    """The job that ended when the customer's unemployment began (``person.
    unemployment_months`` before the referral): work before the service, which a fee
    comparing work with the time before it counts (``work_history``'s baseline, a
    ``look_back``, an earlier employer). Known from the register when the customer is
    referred."""

    share: Share = Decimal("0.6")  # the unemployment began when a job ended
    length_days: Days = dist(lognormal=LogNormal(median=240, sigma=0.9), min=14, max=3650)
    hours_per_week: WeekHours = dist(normal=Normal(mean=33, sd=7), min=4, max=40)
    subsidised: Share = Decimal("0.1")
    wage: Amount = dist(normal=Normal(mean=2400, sd=600), min=600, max=8000)
    # the first job after the referral is with the same employer (drawn where the contract
    # tells employers apart)
    same_employer: Share = Decimal("0.2")


# a name a drawn row holds (a service end's reason, an hours row's activity, an education's
# kind, an expense's category): a cell of text, no spaces around it, no control character
def is_row_name(text: str) -> bool:
    """Whether a cohort can name ``text`` in a mix of names (``RowName``): printable (no
    control character, nor a line or paragraph separator, which YAML reads as a break)."""
    return 0 < len(text) <= 64 and text == text.strip() and \
        all(ch == " " or ch.isprintable() for ch in text)


def _row_name(text: str) -> str:
    if not is_row_name(text):
        raise ValueError(f"'{text[:20]}' is no name a row can hold: 1 to 64 printable "
                         "characters, no spaces around them")
    return text


RowName = Annotated[str, AfterValidator(_row_name)]
# which names are drawn, each with its share (taken in proportion: G107 when they do not add
# up to 1); left out, evenly among the names the contract pays for and one it does not
NameMix = dict[RowName, Share] | None


class Service(_Strict):
    starts: Share = Decimal("0.92")  # the service starts at all
    days_to_start: Days = dist(uniform=(1, 21))
    ends_early: Share = Decimal("0.3")  # a service end before the longest service
    share_of_length: LengthShare = dist(uniform=(0.1, 0.95))  # when it ends early
    contacts_per_month: PerMonth = dist(poisson=Mean(mean=1.5), max=8)
    responds: Share = Decimal("0.8")  # a contact is answered
    hours_per_month: MonthHours = dist(lognormal=LogNormal(median=4, sigma=0.5), max=40)
    hours_months: int = Field(default=3, ge=0, le=24)  # months with delivered hours
    re_referred: Share = Decimal("0.01")  # a second referral (passed over, V002)
    end_reasons: NameMix = None  # a service end's reason, where the contract counts them
    activities: NameMix = None  # an hours row's activity, where the contract counts them


class Education(_Strict):
    share: Share = Decimal("0.12")
    days_to_start: Days = dist(uniform=(30, 300))
    length_days: Days = dist(uniform=(30, 270))
    kinds: NameMix = None  # an education's kind


class Surveys(_Strict):
    share: Share = Decimal("0.75")  # answers the first and the last survey
    first_score: Distribution = dist(normal=Normal(mean=5, sd=1.5), min=0, max=10)
    change: Distribution = dist(normal=Normal(mean=1, sd=1.5), min=-5, max=5)


class Benefits(_Strict):
    months_before: int = Field(default=12, ge=0, le=60)  # benefit months before referral
    months_after: int = Field(default=24, ge=0, le=60)
    days_per_month: MonthDays = dist(uniform=(18, 22))  # while unemployed
    # a month mostly worked still pays an adjusted benefit (half the days) with this chance
    while_working: Share = Decimal("0.25")
    daily_amount: Amount = dist(fixed=37.21)
    benefit_days: Days = dist(uniform=(100, 900))  # at referral


class Expenses(_Strict):
    per_month: PerMonth = dist(poisson=Mean(mean=0.2), max=5)
    amount: Amount = dist(lognormal=LogNormal(median=40, sigma=0.6), min=1, max=2000)
    categories: NameMix = None  # an expense's category, where the contract counts them


class Person(_Strict):
    """Attributes at referral, when no segment rule asks otherwise."""

    age: Years = dist(uniform=(20, 63))
    unemployment_months: Months = dist(exponential=Mean(mean=14), max=240)
    partial_work_ability: Share = Decimal("0.1")


class Profile(_Strict):
    """What happens to the customers of one segment."""

    service: Service = Service()
    jobs: Jobs = Jobs()
    earlier_work: EarlierWork = EarlierWork()
    education: Education = Education()
    surveys: Surveys = Surveys()
    benefits: Benefits = Benefits()
    expenses: Expenses = Expenses()
    person: Person = Person()


def _month(text: str) -> str:
    """A month written ``YYYY-MM``: checked as a key, so a problem is located at its line."""
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit() \
            or not 1 <= int(text[5:]) <= 12:
        raise ValueError(f"'{text[:20]}' is not a month YYYY-MM")
    return text


Month = Annotated[str, AfterValidator(_month)]


class Referrals(_Strict):
    """How many customers, and when they are referred: ``size`` customers over the
    contract's referral window, in proportion to ``per_month`` (``YYYY-MM: count``; the
    counts are the size when ``size`` is left out), or evenly when that is left out too."""

    size: int | None = Field(default=None, ge=1, le=100_000_000)
    # each month and count checked where it is written (a month's line, a count's place)
    per_month: dict[Month, Annotated[int, Field(ge=0)]] | None = None
    first_day: IsoDate | None = None  # default: the contract's valid_from
    last_day: IsoDate | None = None  # default: referrals_until, else valid_until


def _some_shares(mix: dict[str, Decimal] | None) -> dict[str, Decimal] | None:
    """An empty mix is no mix: left out, the shares are equal; written, it must say them."""
    if mix is not None and not mix:
        raise ValueError("an empty mix draws nobody: give each its share (name: 0.5), or "
                         "leave the key out for equal shares")
    return mix


Mix = Annotated[dict[str, Share] | None, AfterValidator(_some_shares)]


class Cohort(_Strict):
    id: str = "default"
    description: str | None = None
    referrals: Referrals = Referrals()
    segments: Mix = None  # the mix; default: equal shares
    providers: Mix = None  # default: equal shares
    profiles: dict[str, Profile] = Field(default_factory=dict)  # "default" and per segment

    def profile(self, segment: str) -> Profile:
        """The segment's profile: the ``default`` profile (else the built-in one) with the
        keys the segment's own profile writes put over it, one by one (a distribution or a
        mix, such as ``jobs.evidence``, is replaced whole). Made anew each call (a cache
        would make two equal cohorts unequal): callers ask once a segment."""
        base = self.profiles.get("default") or Profile()
        own = self.profiles.get(segment)
        return base if own is None or segment == "default" else _over(own, base)


def _over(own: Profile, base: Profile) -> Profile:
    """``base`` with the keys written in ``own`` (its sections' keys set) taking their place."""
    return Profile(**{
        name: getattr(base, name).model_copy(update={
            key: getattr(getattr(own, name), key)
            for key in getattr(own, name).model_fields_set})
        for name in Profile.model_fields})


DEFAULT_COHORT = Cohort()


@dataclass(frozen=True)
class CohortFile:
    cohort: Cohort | None
    problems: list[Problem]
    # where a key path of the file is written (its line and column), for later checks
    at: Callable[[tuple[str, ...]], Source] | None = None
    # each segment, profile and provider the file names: (its part, the name, where), so
    # that names the contract lacks (G104) are found beside the file's other problems
    named: tuple[tuple[str, str, Source], ...] = ()

    def source(self, path: tuple[str, ...], file: str) -> Source:
        return self.at(path) if self.at is not None else Source(file)


def cohort_schema() -> dict[str, Any]:
    """The JSON Schema of cohort files, for editors."""
    data: dict[str, Any] = _numbers_fixed(Cohort.model_json_schema(by_alias=True))
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "rewardengine cohort"
    data["type"] = ["object", "null"]  # an empty file (or only comments): the default cohort
    return data


_DISTRIBUTION = {"$ref": "#/$defs/_Distribution"}


def _numbers_fixed(node: Any) -> Any:
    """The schema with a plain number allowed wherever a distribution is (``_fixed_number``
    reads it as ``fixed``; the validator runs before the model, so the model's own schema
    has only the mapping)."""
    if isinstance(node, list):
        return [_numbers_fixed(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _numbers_fixed(v) for k, v in node.items()}
    if out.get("$ref") == _DISTRIBUTION["$ref"]:
        rest = {k: v for k, v in out.items() if k != "$ref"}
        return {"anyOf": [{"type": "number"}, _DISTRIBUTION], **rest}
    return out


def load_cohort_text(text: str, file: str) -> CohortFile:
    doc, problems = parse_yaml(text, file)
    if doc is None:
        if [p.code for p in problems] == ["Y003"]:  # every key is optional: nothing written
            return CohortFile(DEFAULT_COHORT, [])  # (or only comments) is the default cohort
        return CohortFile(None, problems)
    data = {} if doc.data is None else doc.data
    if not isinstance(data, dict):
        return CohortFile(None, [Problem("G103", "a cohort is a mapping of keys",
                                         doc.source(()))])
    split, said = comma_problems(doc, text)
    problems, doubled, told = split_duplicates(problems, doc, text, said)
    split += doubled
    # the decimals of a split number are no segment, profile or provider name (G104)
    named = tuple(n for n in _named(data, doc) if (n[0], n[1]) not in said)
    try:
        cohort = Cohort.model_validate(data)
    except ValidationError as exc:
        # the mixes written right are checked too: every problem is said at once
        return CohortFile(None, in_order([*problems, *split,
                                           *located(exc, doc, Cohort, _Distribution, told),
                                           *mix_problems(_written_mixes(data, doc), doc)]),
                          named=named)
    found = in_order([*problems, *split, *mix_problems(_written_mixes(data, doc), doc)])
    if any(p.severity.value == "error" for p in found):
        return CohortFile(None, found, named=named)
    return CohortFile(cohort, found, doc.source, named)


NAMING = ("segments", "profiles", "providers")  # the parts whose keys are the contract's ids


def _named(data: dict[Any, Any], doc: YamlDocument) -> tuple[tuple[str, str, Source], ...]:
    """Each key of the file's segments, profiles and providers, at its line (read from the
    file as written, so even a cohort with other errors has them)."""
    return tuple((part, str(key), doc.key_source((part, key)))
                 for part in NAMING if isinstance(data.get(part), dict)
                 for key in data[part])


def in_order(problems: list[Problem]) -> list[Problem]:
    """Problems in the order of the file (all at once, each at its line)."""
    return sorted(problems, key=lambda p: (p.source.line or 0, p.source.col or 0))


# every mix of shares a profile writes
NAME_MIXES: tuple[tuple[str, str], ...] = (
    ("jobs", "evidence"), ("service", "end_reasons"), ("service", "activities"),
    ("education", "kinds"), ("expenses", "categories"))


def _written_mixes(data: dict[Any, Any], doc: YamlDocument
                   ) -> list[tuple[Path, Mapping[str, Decimal]]]:
    """The mixes the file writes (segments, providers, each profile's ``NAME_MIXES``), each
    only when all its shares are shares (a mix with a wrong share is told at that share,
    by the model): read from the file, so they are checked with its other problems too."""
    profiles = data.get("profiles")
    paths: list[Path] = [("segments",), ("providers",)]
    if isinstance(profiles, dict):
        paths += [("profiles", str(name), *mix) for name in profiles for mix in NAME_MIXES]
    out: list[tuple[Path, Mapping[str, Decimal]]] = []
    for path in paths:
        mix: Any = data
        for key in path:
            mix = mix.get(key) if isinstance(mix, dict) else None
        shares = _shares(mix) if isinstance(mix, dict) else None
        if shares and path in doc.marks:
            out.append((path, shares))
    return out


def _shares(mix: dict[Any, Any]) -> dict[str, Decimal] | None:
    try:
        shares = {str(k): SHARE.validate_python(v) for k, v in mix.items()}
    except ValidationError:
        return None
    return shares


SHARE: TypeAdapter[Decimal] = TypeAdapter(Share)


def load_cohort(path: str) -> CohortFile:
    """A cohort file: the cohort (None with errors) and every problem, located."""
    raw, problem = read_bytes(path, MAX_CONTRACT_BYTES)
    if raw is None:
        return CohortFile(None, [problem] if problem else [])
    text, problem = decode_utf8(raw, path)
    if text is None:
        return CohortFile(None, [problem] if problem else [])
    found = load_cohort_text(text, path)
    if found.cohort is None or not found.cohort.model_fields_set \
            or "id" in found.cohort.model_fields_set:
        return found  # a file writing nothing is the default cohort, and named so
    # named by its file where it names itself not: "cohort default" said of a file of one's
    # own read as the built-in cohort
    named = found.cohort.model_copy(update={"id": PurePath(path).stem[:60] or "default"})
    return dataclasses.replace(found, cohort=named)
