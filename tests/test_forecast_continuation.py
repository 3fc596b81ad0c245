"""A forecast's continuations: the rest of real timelines after the as-of date, drawn for a
block of customers at once (the conditional draws per customer, then the block's service
rows and chains of new jobs as the generator draws them)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from rewardengine.cohort import DEFAULT_COHORT, Cohort, Profile, load_cohort_text
from rewardengine.events.model import Employment
from rewardengine.forecast.conditional import State, continuations
from rewardengine.forecast.runs import to_events
from rewardengine.pipeline import load_contract
from rewardengine.synth import Plan, Row, make_plan
from rewardengine.values import add_months

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2020, 3, 31)


def _plan(name: str, cohort: Cohort = DEFAULT_COHORT) -> Plan:
    loaded, _ = load_contract(str(ROOT / "contracts" / f"{name}.yaml"))
    assert loaded is not None
    return make_plan(loaded, cohort)


def _job(cid: str, begin: str, evidence: str = "register") -> Employment:
    event = to_events([{"event_id": f"{cid}-e0", "customer_id": cid, "type": "employment",
                        "date": begin, "kind": "open", "evidence": evidence,
                        "fte": "1.0"}])[0]
    assert isinstance(event, Employment)
    return event


def _state(cid: str, service: date | None, ended: bool = False,
           jobs: tuple[Employment, ...] = (), referral: date = date(2020, 1, 10)) -> State:
    return State(cid, AS_OF, referral, None, service, ended, jobs)


def _drawn(plan: Plan, profiles: list[Profile], states: list[State], seed: int
           ) -> list[list[Row]]:
    return continuations(plan, profiles, states, np.random.Generator(np.random.PCG64(seed)))


def test_a_blocks_continuations_are_after_the_as_of_under_each_customers_own_id() -> None:
    plan = _plan("omavalmentaja")
    profile = plan.profile("default")
    # an id that needs quoting in a CSV line, a service going on, a job under way
    states = [_state("a,\"1\"", date(2020, 1, 31)),
              _state("B", date(2020, 1, 15), ended=True,
                     jobs=(_job("B", "2020-02-01", "self_report"),)),
              _state("C", None, referral=date(2020, 3, 25))] * 40
    drawn = _drawn(plan, [profile] * len(states), states, 2)
    assert drawn == _drawn(plan, [profile] * len(states), states, 2)  # the same draws
    assert drawn != _drawn(plan, [profile] * len(states), states, 3)
    for state, rows in zip(states, drawn, strict=True):
        cid = state.customer_id
        assert all(r["customer_id"] == cid and r["event_id"].startswith(cid) for r in rows)
        assert all(r["date"] > "2020-03-31" or r["event_id"] == "B-e0" for r in rows)
        to_events(rows)  # every drawn row is a valid event
        ids = {r["event_id"] for r in rows}
        if cid == "B":  # its job under way goes on under its id; a new job only after its end
            assert all(i == "B-e0" or i.endswith("~f") for i in ids)
            assert all(r["recorded"] > "2020-03-31" for r in rows if r["event_id"] == "B-e0")
            end = max((r["end"] for r in rows if r["event_id"] == "B-e0" and r.get("end")),
                      default="9999")
            assert all(r["date"] > end for r in rows
                       if r["type"] == "employment" and r["event_id"] != "B-e0")
        else:
            assert all(i.endswith("~f") for i in ids)
    service = [r for rows in drawn[::3] for r in rows if r["type"] == "contact"]
    assert service and min(r["date"] for r in service) > "2020-03-31"
    # customer "C", referred 6 days before the as-of date, starts its service after it
    starts = [r["date"] for rows in drawn[2::3] for r in rows if r["type"] == "service_start"]
    assert starts and min(starts) > "2020-03-31"


def test_new_jobs_are_the_generators_chain_of_jobs_with_gaps() -> None:
    """Every customer reaches a job and two more, each of 30 days, 10 days after the last:
    N's first 20 days after its service start, and all three drawn; D has had its first
    already, so only the two more are drawn, the first 10 days after its job ended, which is
    the as-of date itself (recorded after it: told 1 to 9 days late). It began the day after
    the as-of before: a job begun by then but told after it lost its days before."""
    found = load_cohort_text(
        "profiles:\n  default:\n    jobs: {share: 1, ongoing: 0, voided: 0,\n"
        "      more: {fixed: 2}, length_days: {fixed: 30}, gap_days: {fixed: 10},\n"
        "      days_to_first: {fixed: 20}, evidence: {register: 1}}\n", "c.yaml")
    assert found.cohort is not None, found.problems
    plan = _plan("tehostettu_tyonvalitys", found.cohort)
    ended = _job("D", "2019-12-01")
    earlier = to_events([{**_row_of(ended), "end": "2020-03-20"}])[0]
    assert isinstance(earlier, Employment)
    states = [_state("N", date(2020, 3, 20)), _state("D", date(2020, 1, 15), jobs=(earlier,))]
    drawn = _drawn(plan, [plan.profile("default")] * 2, states, 5)
    for rows, first, count in zip(drawn, (date(2020, 4, 9), date(2020, 3, 31)), (3, 2),
                                  strict=True):
        jobs = {r["event_id"]: r for r in rows if r["type"] == "employment" and r.get("end")}
        cid = rows[0]["customer_id"]
        assert sorted(jobs) == [f"{cid}-e{n}~f" for n in range(count)]
        begin = first
        for n in range(count):
            job = jobs[f"{cid}-e{n}~f"]
            assert job["date"] == begin.isoformat()
            assert job["end"] == (begin + timedelta(days=29)).isoformat()  # 30 days, on
            begin += timedelta(days=30 + 10)


def _row_of(job: Employment) -> dict[str, Any]:
    return {"event_id": job.event_id, "customer_id": job.customer_id, "type": "employment",
            "date": job.date.isoformat(), "kind": job.kind, "evidence": job.evidence,
            "fte": "1.0"}


def test_a_service_with_nothing_counted_or_drawn_gives_no_rows() -> None:
    quiet = load_cohort_text("profiles: {default: {service: {contacts_per_month: 0}, "
                             "jobs: {share: 0}}}\n", "c.yaml").cohort
    assert quiet is not None
    plan = _plan("tehostettu_tyonvalitys", quiet)
    drawn = _drawn(plan, [plan.profile("default")], [_state("Q", date(2020, 3, 1))], 1)
    assert [r["type"] for r in drawn[0]] in ([], ["service_end"])


def test_a_customer_with_nothing_drawn_is_evaluated_once_for_every_run() -> None:
    """E's service and job ended by the as-of date and the cohort draws no further job:
    nothing is drawn after it, so every run pays E what its real rows alone pay, evaluated
    once; W's job under way is drawn every run. The runs are the same with that evaluation
    made once per process and made in every chunk of runs (``--jobs``)."""
    from rewardengine.engine import evaluate_customer
    from rewardengine.events.read import read_text
    from rewardengine.events.timeline import timeline
    from rewardengine.forecast.ahead import Job, Ready, _ahead_of, in_progress, run_all
    from rewardengine.forecast.runs import default_horizon, draft_of

    found = load_cohort_text("profiles: {default: {jobs: {more: {fixed: 0}}}}\n", "c.yaml")
    assert found.cohort is not None
    path = ROOT / "contracts" / "tehostettu_tyonvalitys.yaml"
    source = (str(path), path.read_bytes())
    loaded, _ = load_contract(str(path))
    assert loaded is not None
    horizon = default_horizon(loaded)
    read = read_text(
        "event_id,customer_id,type,date,end,reason,kind,evidence,fte\n"
        "E-r,E,referral,2020-01-10,,,,,\nE-s,E,service_start,2020-01-15,,,,,\n"
        "E-x,E,service_end,2020-03-01,,ended,,,\n"
        "E-e,E,employment,2020-01-20,2020-03-31,,open,register,1.0\n"
        "W-r,W,referral,2020-01-10,,,,,\nW-s,W,service_start,2020-01-15,,,,,\n"
        "W-e,W,employment,2020-02-01,,,open,register,1.0\n", "e.csv")
    draft = draft_of(source, found.cohort, horizon)
    customers = tuple(in_progress(read.events, AS_OF, draft, None))
    assert [c.customer_id for c in customers] == ["E", "W"]
    job = Job(source, found.cohort, customers, AS_OF, horizon, 4, 0, 0)
    ready = Ready.of(job)
    runs = run_all(job, 6, 1, None, ready)
    assert list(ready.alone) == [0]  # E only
    alone = evaluate_customer(loaded, timeline("E", customers[0].rows, horizon))
    assert ready.alone[0] == list(_ahead_of(ready.before[0], alone.lines, AS_OF))
    assert len({r.per_customer[0] for r in runs}) == 1
    assert runs == run_all(job, 6, 2, None)  # chunks of runs in other processes


def _benefit_rows(contract: str, while_working: str, state: State) -> list[Row]:
    found = load_cohort_text(
        "profiles:\n  default:\n    jobs: {share: 0}\n    benefits: {days_per_month: {fixed: 20},"
        f" daily_amount: {{fixed: 10}}, months_after: 6, while_working: {while_working}}}\n",
        "c.yaml")
    assert found.cohort is not None, found.problems
    plan = _plan(contract, found.cohort)
    assert plan.benefits
    profile = next(iter(plan.profiles.values()))  # the cohort's one profile, every segment's
    rows = _drawn(plan, [profile], [state], 4)[0]
    to_events(rows)  # every drawn row is a valid event
    return [r for r in rows if r["type"] == "benefit"]


def test_benefit_months_ahead_follow_the_generators_rule() -> None:
    """Referred 2020-01-10, as of 2020-03-31, six months after the referral: April to June.
    A job under way from 2020-04-16 (the middle of April is the 15th: one day short) to
    2020-05-20: April is not mostly worked (20 days), May is (half of 20 with the chance
    ``while_working`` 1, none with 0), June is not."""
    job = to_events([{"event_id": "J-e0", "customer_id": "J", "type": "employment",
                      "date": "2020-04-16", "end": "2020-05-20", "kind": "open",
                      "evidence": "register", "fte": "1.0", "recorded": "2020-03-30"}])[0]
    assert isinstance(job, Employment)
    state = State("J", AS_OF, date(2020, 1, 10), None, date(2020, 1, 15), True, (job,))
    for chance, may in (("1", "10"), ("0", "0")):
        rows = _benefit_rows("uk_work_programme", chance, state)
        assert [(r["date"], r["days"], r["amount"]) for r in rows] == [
            ("2020-04-01", "20", "200.00"), ("2020-05-01", may, f"{int(may) * 10}.00"),
            ("2020-06-01", "20", "200.00")]
        assert all("cumulative_days" not in r for r in rows)


def test_two_jobs_begun_the_same_day_keep_each_its_own_span() -> None:
    """Two jobs under way begun the same day, one going on (``ongoing: 1``), one known to end
    2020-04-20: every month ahead is mostly worked (the job going on), so with
    ``while_working`` 0 no benefit days are drawn. The spans were matched by begin, so the
    second job's end replaced the first's: May and June were drawn as not worked."""
    found = load_cohort_text(
        "profiles:\n  default:\n    jobs: {share: 0, ongoing: 1, voided: 0}\n"
        "    benefits: {days_per_month: {fixed: 20}, daily_amount: {fixed: 10}, "
        "months_after: 6, while_working: 0}\n", "c.yaml")
    assert found.cohort is not None, found.problems
    plan = _plan("uk_work_programme", found.cohort)
    profile = next(iter(plan.profiles.values()))
    going_on = _job("J", "2020-02-03")
    fixed = to_events([{**_row_of(going_on), "event_id": "J-e1", "end": "2020-04-20"}])[0]
    assert isinstance(fixed, Employment)
    state = State("J", AS_OF, date(2020, 1, 10), None, date(2020, 1, 15), True,
                  (going_on, fixed))
    rows = _drawn(plan, [profile], [state], 4)[0]
    assert [(r["date"], r["days"]) for r in rows if r["type"] == "benefit"] == [
        ("2020-04-01", "0"), ("2020-05-01", "0"), ("2020-06-01", "0")]


def test_benefit_days_paid_in_all_count_on_from_the_as_of_date() -> None:
    """On a contract that reads ``cumulative_days``, the months ahead count on from the days
    paid by the as-of date: the latest benefit row's count, else the referral's."""
    from rewardengine.engine import evaluate_customer
    from rewardengine.events.read import read_text
    from rewardengine.events.timeline import timeline

    path = ROOT / "contracts" / "municipal_subsidy_share.yaml"
    loaded, _ = load_contract(str(path))
    assert loaded is not None
    read = read_text(
        "event_id,customer_id,type,date,benefit_days,days,amount,cumulative_days\n"
        "K-r,K,referral,2020-01-10,400,,,\nK-s,K,service_start,2020-01-15,,,,\n"
        "K-b1,K,benefit,2020-02-01,,21,100.00,421\nK-b2,K,benefit,2020-03-01,,20,100.00,441\n"
        "R-r,R,referral,2020-01-10,400,,,\nR-s,R,service_start,2020-01-15,,,,\n", "k.csv")
    assert not read.problems, read.problems
    states = [State.of(evaluate_customer(loaded, timeline(cid, [
        e for e in read.events if e.customer_id == cid], AS_OF))) for cid in ("K", "R")]
    assert [s.benefit_days for s in states] == [441, 400]
    for state, first in zip(states, (441, 400), strict=True):
        rows = _benefit_rows("municipal_subsidy_share", "0", state)
        assert [r["date"] for r in rows] == ["2020-04-01", "2020-05-01", "2020-06-01"]
        assert [r["cumulative_days"] for r in rows] == [str(first + 20 * n) for n in (1, 2, 3)]


def _jobs_plan(jobs: str, contract: str = "tehostettu_tyonvalitys") -> tuple[Plan, Profile]:
    never = "" if "voided" in jobs else "voided: 0, "  # no void unless asked for
    found = load_cohort_text("profiles:\n  default:\n    jobs: {evidence: {register: 1}, "
                             f"{never}{jobs}}}\n", "c.yaml")
    assert found.cohort is not None, found.problems
    plan = _plan(contract, found.cohort)
    return plan, plan.profile("default")


def _job_rows(plan: Plan, profile: Profile, states: list[State]) -> list[list[Row]]:
    return [[r for r in rows if r["type"] == "employment"]
            for rows in _drawn(plan, [profile] * len(states), states, 3)]


def test_a_job_under_way_may_have_ended_before_the_as_of_with_its_end_told_after() -> None:
    """30 days long, its end recorded 10 days after its last day: begun 2020-02-22 it ended
    2020-03-22 and was told 2020-04-01, the day after the as-of, so it is a job under way
    then that had already ended; begun a day earlier its end was told on the as-of date
    itself and would be known, so no draw fits and it goes on (no end)."""
    plan, profile = _jobs_plan("ongoing: 0, length_days: {fixed: 30}, "
                               "end_recorded_delay_days: {fixed: 10}")
    states = [_state("A", date(2020, 1, 15), jobs=(_job("A", "2020-02-22"),)),
              _state("B", date(2020, 1, 15), jobs=(_job("B", "2020-02-21"),))]
    over, going_on = _job_rows(plan, profile, states)
    assert [(r["event_id"], r["end"], r["recorded"]) for r in over
            if r["event_id"] == "A-e0"] == [("A-e0", "2020-03-22", "2020-04-01")]
    assert going_on == []


def test_a_self_report_unconfirmed_at_the_as_of_is_confirmed_only_after_it() -> None:
    """Every self-report is confirmed 40 days after its first record: recorded 2020-02-21,
    confirmed 2020-04-01, the day after the as-of; recorded a day earlier, it would have
    been confirmed on the as-of date, so it never is."""
    plan, profile = _jobs_plan("ongoing: 1, confirmed: 1, confirm_delay_days: {fixed: 40}")
    states = [_state("A", date(2020, 1, 15), jobs=(_job("A", "2020-02-21", "self_report"),)),
              _state("B", date(2020, 1, 15), jobs=(_job("B", "2020-02-20", "self_report"),))]
    later, never = _job_rows(plan, profile, states)
    assert [(r["evidence"], r["recorded"]) for r in later] == [("register", "2020-04-01")]
    assert never == []


def test_further_jobs_count_the_jobs_seen_and_the_next_one_must_be_unseen() -> None:
    """One more job after the first, 10 days after its end, recorded 0 to 9 days after its
    start. A ended 2020-03-11: the next begins 2020-03-22, recorded by 2020-03-31 at the
    latest, so it would be known: none. C ended 2020-03-12: the next, begun 2020-03-23, is
    recorded after the as-of only when told 9 days late, on 2020-04-01 (it began the day
    after the as-of before). E has had its two jobs: nothing more."""
    plan, profile = _jobs_plan("share: 1, ongoing: 0, more: {fixed: 1}, "
                               "gap_days: {fixed: 10}, length_days: {fixed: 30}")
    ended = [to_events([{**_row_of(_job(cid, begin)), "end": end}])[0]
             for cid, begin, end in (("A", "2020-02-11", "2020-03-11"),
                                     ("C", "2020-02-12", "2020-03-12"),
                                     ("E", "2020-01-20", "2020-02-18"))]
    e2 = to_events([{**_row_of(_job("E", "2020-03-01")), "event_id": "E-e1",
                     "end": "2020-03-30"}])[0]
    assert all(isinstance(e, Employment) for e in [*ended, e2])
    states = [_state(e.customer_id, date(2020, 1, 15), jobs=jobs)  # type: ignore[arg-type]
              for e, jobs in zip(ended, ((ended[0],), (ended[1],), (ended[2], e2)),
                                 strict=True)]
    a, c, e = _job_rows(plan, profile, states)
    assert a == [] and e == []
    assert sorted({(r["date"], r.get("end", "")) for r in c}) == [
        ("2020-03-23", ""), ("2020-03-23", "2020-04-21")]
    assert min(r["recorded"] for r in c) == "2020-04-01"


def test_a_first_job_begun_by_the_as_of_but_not_yet_recorded_keeps_its_begin() -> None:
    """A first job 60 days after the service start, recorded 0 to 9 days after it begins:
    begun 2020-03-23 (the as-of is 2020-03-31) it is told after the as-of only when told 9
    days late, on 2020-04-01, and keeps its begin (it began the day after the as-of before,
    its days before lost); begun 2020-03-22 it would be known by then: no job. Begun the
    day before the as-of, on it, or the day after, it is recorded after it."""
    plan, profile = _jobs_plan("share: 1, ongoing: 1, days_to_first: {fixed: 60}")
    starts = [date(2020, 1, 23), date(2020, 1, 22), date(2020, 1, 30), date(2020, 1, 31),
              date(2020, 2, 1)]
    states = [_state(f"F{n}", start) for n, start in enumerate(starts)]
    f, g, *near = _job_rows(plan, profile, states)
    assert [(r["date"], r["recorded"]) for r in f] == [("2020-03-23", "2020-04-01")]
    assert g == []
    for start, rows in zip(starts[2:], near, strict=True):
        begin = start + timedelta(days=60)
        first = min(date.fromisoformat(r["recorded"]) for r in rows)
        assert {r["date"] for r in rows} == {begin.isoformat()}
        assert AS_OF < first <= begin + timedelta(days=9)


def test_a_later_job_of_a_chain_begun_by_the_as_of_is_first_recorded_after_it() -> None:
    """A first job 60 days after the service start, one day long, the next the day after it
    (a fitted cohort's short jobs and gaps): begun 2020-03-23 the first is told on
    2020-04-01; the second begins 2020-03-24 and was first recorded 0 to 9 days later, by
    the as-of date mostly. That first record was dropped (recorded by the as-of), so the job
    showed only as its end, a correction of a row never written; now it is first recorded
    the day after the as-of at the earliest, as nothing was recorded by then."""
    plan, profile = _jobs_plan("share: 1, ongoing: 0, days_to_first: {fixed: 60}, "
                               "more: {fixed: 1}, length_days: {fixed: 1}, gap_days: {fixed: 0}")
    for rows in _job_rows(plan, profile, [_state("F", date(2020, 1, 23))] * 40):
        assert rows and all(r["recorded"] > "2020-03-31" for r in rows)
        firsts = {r["event_id"] for r in rows if not r.get("end")}
        assert len(firsts) == 2 and {r["event_id"] for r in rows} == firsts, rows


def test_where_service_ends_are_counted_by_reason_every_service_ends_with_one() -> None:
    """business_feedback pays for a service end with the reason ``delivered``: the generator
    ends every service with a row, its reason ``delivered`` or ``ended`` drawn alike, early
    or on the longest service's last day. Never early here: a service whose last day is the
    day after the as-of ends then; one whose last day is the as-of itself would have been
    recorded by then, so nothing is drawn."""
    quiet = load_cohort_text("profiles: {default: {service: {ends_early: 0, "
                             "contacts_per_month: 0}, jobs: {share: 0}}}\n", "c.yaml").cohort
    assert quiet is not None
    plan = _plan("business_feedback", quiet)
    assert plan.end_reasons == ("delivered", "ended")
    # the longest service (calendar months, as the engine counts them) lasts to 2020-04-01
    first = (add_months(date(2020, 4, 2), -plan.service_months) if plan.service_months
             else AS_OF + timedelta(days=2) - timedelta(days=plan.service_days))
    states = [_state(f"A{n}", first) for n in range(40)] + [
        _state("B", first - timedelta(days=1))]
    drawn = _drawn(plan, [plan.profile("default")] * len(states), states, 4)
    ends = [[(r["date"], r["reason"]) for r in rows if r["type"] == "service_end"]
            for rows in drawn]
    assert all(len(e) == 1 and e[0][0] == "2020-04-01" for e in ends[:-1])
    reasons = [e[0][1] for e in ends[:-1]]
    assert 10 <= reasons.count("delivered") <= 30 and set(reasons) == {"delivered", "ended"}
    assert ends[-1] == []


def test_an_education_after_the_as_of_is_drawn_as_the_generator_draws_one() -> None:
    """Every customer starts an education 80 days after the referral, 30 days long: referred
    2020-01-12 it begins 2020-04-01, the day after the as-of; referred 2020-01-11 it would
    have begun on the as-of date and be known: none. One already known: no second one."""
    found = load_cohort_text("profiles: {default: {education: {share: 1, "
                             "days_to_start: {fixed: 80}, length_days: {fixed: 30}}}}\n",
                             "c.yaml")
    assert found.cohort is not None, found.problems
    plan = _plan("forssa", found.cohort)
    assert "degree" in plan.education_kinds
    states = [_state(f"A{n}", None, referral=date(2020, 1, 12)) for n in range(20)] + [
        _state("B", None, referral=date(2020, 1, 11)),
        State("C", AS_OF, date(2020, 1, 12), None, None, False, (), None, True)]
    drawn = _drawn(plan, [plan.profile("default")] * len(states), states, 6)
    edu = [[(r["date"], r["end"], r["kind"]) for r in rows if r["type"] == "education"]
           for rows in drawn]
    assert all(len(e) == 1 and e[0][:2] == ("2020-04-01", "2020-05-01") for e in edu[:20])
    assert {e[0][2] for e in edu[:20]} == set(plan.education_kinds)
    assert edu[20] == [] and edu[21] == []
    to_events([r for rows in drawn for r in rows])


def test_a_job_under_way_is_paid_its_wages_after_the_as_of_as_generated() -> None:
    """employment_condition_2024 counts monthly earnings. A job begun 2020-02-10 at 2,000.00
    a month: with no end, paid for each month after the as-of up to 36 months from its start
    (February 2023: 9 days of 28, 642.86); March is paid on the as-of date 2020-03-31 (a
    real row already), but a day earlier it is ahead. Ending 2020-04-15 (66 days, told 10
    days later): April's 15 days of 30, 1,000.00, and nothing after."""
    def wages(jobs: str, as_of: date) -> list[tuple[str, str]]:
        plan, profile = _jobs_plan(jobs, "employment_condition_2024")
        assert plan.earnings
        job = to_events([{"event_id": "W-e0", "customer_id": "W", "type": "employment",
                          "date": "2020-02-10", "kind": "open", "evidence": "register",
                          "fte": "1.0", "wage": "2000.00"}])[0]
        assert isinstance(job, Employment)
        state = State("W", as_of, date(2020, 1, 10), None, date(2020, 1, 15), True, (job,))
        rows = _drawn(plan, [profile], [state], 8)[0]
        to_events(rows)
        return [(r["date"], r["amount"]) for r in rows if r["type"] == "earnings"]

    going_on = wages("ongoing: 1", AS_OF)
    assert len(going_on) == 35 and going_on[0] == ("2020-04-30", "2000.00")
    assert going_on[-1] == ("2023-02-28", "642.86")
    assert wages("ongoing: 1", AS_OF - timedelta(days=1))[0] == ("2020-03-31", "2000.00")
    assert wages("ongoing: 0, length_days: {fixed: 66}, end_recorded_delay_days: {fixed: 10}",
                 AS_OF) == [("2020-04-30", "1000.00")]


def test_a_job_under_way_keeps_its_known_end_and_employer() -> None:
    """A fixed-term job whose end (after the as-of date) was known by then: every version
    drawn after the as-of keeps that end and the employer; it was drawn anew (often before
    the as-of), or dropped by a confirmation, and the employer was lost."""
    plan = _plan("omavalmentaja")
    job = to_events([{"event_id": "A-e0", "customer_id": "A", "type": "employment",
                      "date": "2020-01-01", "end": "2020-09-30", "recorded": "2020-01-05",
                      "kind": "open", "evidence": "self_report", "fte": "1.0",
                      "employer": "E1"}])[0]
    assert isinstance(job, Employment)
    states = [_state("A", date(2019, 12, 10), jobs=(job,), referral=date(2019, 12, 1))] * 200
    drawn = _drawn(plan, [plan.profile("default")] * len(states), states, 5)
    versions = [r for rows in drawn for r in rows if r["event_id"] == "A-e0"]
    assert versions  # a self-report confirmed after the as-of date
    assert all(r["end"] == "2020-09-30" and r["employer"] == "E1"
               and r["recorded"] > "2020-03-31" for r in versions)
    # the chain of jobs goes on only after the known end
    assert all(r["date"] > "2020-09-30" for rows in drawn for r in rows
               if r["type"] == "employment" and r["event_id"] != "A-e0")


def test_a_long_customer_id_still_gives_valid_drawn_rows() -> None:
    """A customer id of 125 characters (up to 128 are valid): its drawn rows' ids were
    longer than 128 and the forecast failed (a simulated row is not a valid event)."""
    plan = _plan("omavalmentaja")
    cid = "c" * 125
    states = [_state(cid, date(2020, 1, 20))] * 20
    drawn = _drawn(plan, [plan.profile("default")] * len(states), states, 1)
    rows = [r for customer in drawn for r in customer]
    assert rows and all(r["event_id"].endswith("~f") for r in rows)
    to_events(rows)
    one = drawn[0]  # a customer's rows keep distinct ids (versions of one job share theirs)
    assert len({r["event_id"] for r in one if r["type"] != "employment"}) == len(
        [r for r in one if r["type"] != "employment"])


def _planned(cid: str, begin: str, recorded: str = "2020-03-20", **extra: str) -> Employment:
    event = to_events([{"event_id": f"{cid}-e0", "customer_id": cid, "type": "employment",
                        "date": begin, "recorded": recorded, "kind": "open",
                        "evidence": "register", "fte": "1.0", **extra}])[0]
    assert isinstance(event, Employment)
    return event


def test_a_planned_job_known_by_the_as_of_ends_as_a_job_under_way_does() -> None:
    """A job recorded 2020-03-20 to begin the day before, on, or the day after the as-of
    (2020-03-31), 30 days long, its end told 10 days late, one more job 10 days after it:
    each ends and the chain goes on. A job dated after the as-of never got an end (it ran to
    the horizon) and no job followed it."""
    plan, profile = _jobs_plan("share: 1, ongoing: 0, more: {fixed: 1}, "
                               "gap_days: {fixed: 10}, length_days: {fixed: 30}, "
                               "end_recorded_delay_days: {fixed: 10}")
    begins = [AS_OF - timedelta(days=1), AS_OF, AS_OF + timedelta(days=1)]
    states = [_state(f"P{n}", date(2020, 1, 15), jobs=(_planned(f"P{n}", b.isoformat()),))
              for n, b in enumerate(begins)]
    for begin, rows in zip(begins, _job_rows(plan, profile, states), strict=True):
        end = begin + timedelta(days=29)
        ends = [(r["end"], r["recorded"]) for r in rows if r["event_id"].endswith("-e0")]
        assert ends == [(end.isoformat(), (end + timedelta(days=10)).isoformat())]
        following = {r["date"] for r in rows if not r["event_id"].endswith("-e0")}
        assert following == {(end + timedelta(days=11)).isoformat()}


def _voided(cid: str, n: int, begin: str, end: str | None) -> Employment:
    event = to_events([{"event_id": f"{cid}-e{n}", "customer_id": cid, "type": "employment",
                        "date": begin, "kind": "open", "evidence": "register", "fte": "1.0",
                        "void": "true", **({"end": end} if end else {})}])[0]
    assert isinstance(event, Employment) and event.void
    return event


def test_a_voided_job_is_one_of_the_jobs_seen_as_the_generator_counts_it() -> None:
    """The generator voids a job of the chain after its last record: it still counts among
    the jobs drawn (``more`` counts every job after the first) and the next one follows its
    end; voided with no end it was going on, which ends the chain. One more job after the
    first, 10 days after its end: V1's voided job ended 2020-03-12, so the next begins
    2020-04-01 (a job recorded by the as-of would be known); V2 had a voided job and one that
    ended 2020-03-12, its two jobs: nothing more; V3's voided job was going on: nothing."""
    plan, profile = _jobs_plan("share: 1, ongoing: 0, more: {fixed: 1}, "
                               "gap_days: {fixed: 10}, length_days: {fixed: 30}")
    live = to_events([{**_row_of(_job("V2", "2020-02-12")), "event_id": "V2-e1",
                       "end": "2020-03-12"}])[0]
    assert isinstance(live, Employment)
    states = [
        State("V1", AS_OF, date(2020, 1, 10), None, date(2020, 1, 15), False, (),
              voided=(_voided("V1", 0, "2020-02-12", "2020-03-12"),)),
        State("V2", AS_OF, date(2020, 1, 10), None, date(2020, 1, 15), False, (live,),
              voided=(_voided("V2", 0, "2020-01-20", "2020-02-18"),)),
        State("V3", AS_OF, date(2020, 1, 10), None, date(2020, 1, 15), False, (),
              voided=(_voided("V3", 0, "2020-02-12", None),))]
    v1, v2, v3 = _job_rows(plan, profile, states)
    assert sorted({(r["date"], r.get("end", "")) for r in v1}) == [
        ("2020-03-23", ""), ("2020-03-23", "2020-04-21")]
    assert v2 == [] and v3 == []


def test_a_job_known_by_the_as_of_is_voided_after_it_as_the_generator_voids_one() -> None:
    """Every job voided (``voided: 1``) 30 days after its last record. Ended jobs whose end
    was recorded 2020-02-29, 2020-03-01 and 2020-03-02: voided on 2020-03-30, on the as-of
    date (2020-03-31) or the day after; only the last void is after it (the others would be
    known by then). A job going on recorded 2020-03-10 is voided 2020-04-09, with no end.
    No void of a known job was ever drawn: a provider's forecast never lost one."""
    plan, profile = _jobs_plan("share: 1, ongoing: 1, more: {fixed: 0}, voided: 1")
    ended = [_planned(f"X{n}", "2020-01-01", recorded=told, end="2020-02-28")
             for n, told in enumerate(("2020-02-29", "2020-03-01", "2020-03-02"))]
    states = [_state(j.customer_id, date(2019, 12, 20), jobs=(j,)) for j in ended] + [
        _state("Y", date(2019, 12, 20), jobs=(_planned("Y", "2020-03-10", "2020-03-10"),))]
    before, on, after, going = _job_rows(plan, profile, states)
    assert before == [] and on == []
    assert [(r["event_id"], r["recorded"], r["end"], r["void"]) for r in after] == [
        ("X2-e0", "2020-04-01", "2020-02-28", "true")]
    assert [(r["event_id"], r["recorded"], r.get("end"), r["void"]) for r in going] == [
        ("Y-e0", "2020-04-09", None, "true")]
    events = to_events(after + going)
    assert all(e.void for e in events)


def _at_referral(name: str, as_of: date, rows: list[Row]) -> tuple[Plan, State]:
    """A contract whose service starts at the referral (none bundled: parentsnext so
    changed) and one customer's state as of ``as_of`` from its rows."""
    from rewardengine.forecast.ahead import Customer
    from rewardengine.forecast.runs import default_horizon, draft_of

    text = (ROOT / "contracts" / "parentsnext.yaml").read_text(encoding="utf-8")
    text = text.replace("starts_at: service_start", "starts_at: referral")
    assert "starts_at: referral" in text
    loaded, _ = load_contract(str(ROOT / "contracts" / "parentsnext.yaml"))
    assert loaded is not None
    draft = draft_of((name, text.encode()), DEFAULT_COHORT, default_horizon(loaded))
    assert draft.plan.starts_at_referral
    result = Customer(rows[0]["customer_id"], tuple(to_events(rows))).now(draft, as_of)
    return draft.plan, State.of(result)


def test_a_service_starting_at_the_referral_goes_on_only_where_it_started() -> None:
    """With ``starts_at: referral`` the generator starts a service (the cohort's chance)
    with a service start row on the referral date, and draws contacts only for those: a
    customer with a start row has contacts drawn after the as-of date; one without (its row
    would be known by then) has none. Every customer had them drawn, started or not.
    Referred the day before the as-of date or on it, alike (one referred after it is not
    forecast)."""
    for ref in (AS_OF - timedelta(days=1), AS_OF):
        for started in (True, False):
            cid = f"R{ref.day}{'s' if started else 'n'}"
            rows: list[Row] = [{"event_id": f"{cid}-r", "customer_id": cid,
                                "type": "referral", "date": ref.isoformat()}]
            if started:
                rows.append({"event_id": f"{cid}-s", "customer_id": cid,
                             "type": "service_start", "date": ref.isoformat()})
            plan, state = _at_referral("at_referral.yaml", AS_OF, rows)
            drawn = _drawn(plan, [plan.profile("default")] * 20, [state] * 20, 9)
            contacts = [r for rows_ in drawn for r in rows_ if r["type"] == "contact"]
            assert bool(contacts) is started, cid
            assert all(r["date"] > AS_OF.isoformat() for r in contacts)
            assert not any(r["type"] == "service_start" for rows_ in drawn for r in rows_)


def test_a_drawn_row_never_takes_a_real_rows_id() -> None:
    """Any text is a valid id, so a real row may end ``~f`` as drawn ones do: customer
    ``A~f`` with a real row ``A~f-s~f`` (and its digest taken too) whose service starts
    after the as-of date is drawn a start ``A~f-s~f``, a new version of the real row (a
    contact replaced by a service start). Now each drawn id is free; ids are collected from
    the rows known by the as-of date."""
    quiet = load_cohort_text("profiles: {default: {service: {starts: 1, days_to_start: "
                             "{fixed: 90}}}}\n", "c.yaml").cohort
    assert quiet is not None
    plan = _plan("parentsnext", quiet)
    cid = "A~f"
    real = to_events([{"event_id": f"{cid}-r", "customer_id": cid, "type": "referral",
                       "date": "2020-01-10"},
                      {"event_id": f"{cid}-s~f", "customer_id": cid, "type": "contact",
                       "date": "2020-02-01", "responded": "true"}])
    taken = frozenset(e.event_id for e in real)
    state = State(cid, AS_OF, date(2020, 1, 10), None, None, False, (), ids=taken)
    rows = _drawn(plan, [plan.profile("default")], [state], 1)[0]
    starts = [r for r in rows if r["type"] == "service_start"]
    assert [r["date"] for r in starts] == ["2020-04-09"]
    assert all(r["event_id"] not in taken and r["event_id"].endswith("~f") for r in rows)
    # each drawn event its own id (a job's later versions, its end or confirmation, share it)
    kinds = {r["event_id"]: r["type"] for r in rows}
    assert all(kinds[r["event_id"]] == r["type"] for r in rows)
    versions = [r["event_id"] for r in rows if r["type"] != "employment"]
    assert len(set(versions)) == len(versions)
    from rewardengine.forecast.conditional import drawn_id

    again = drawn_id(f"{cid}-s", taken)
    assert drawn_id(f"{cid}-s", taken | {again}) not in taken | {again}
    assert drawn_id("x") == "x~f"  # free ids keep the plain tag
    _, known = _at_referral("at_referral.yaml", AS_OF, [
        {"event_id": "Q-r", "customer_id": "Q", "type": "referral", "date": "2020-01-10"},
        {"event_id": "Q-s~f", "customer_id": "Q", "type": "service_start",
         "date": "2020-01-10", "void": "true"},
        {"event_id": "Q-late", "customer_id": "Q", "type": "service_start",
         "date": "2020-04-01"}])
    assert known.ids == {"Q-r", "Q-s~f"}  # a voided row's id too; a later row is not known


def test_a_job_under_ways_wages_follow_the_generators_one_rule() -> None:
    """``synth.monthly_wages`` is the generator's rule and the continuation's (it had its
    own scalar copy). A job begun 2020-01-31, last day 2020-03-01, at 929.99 a month: one
    day of January's 31 (30.00), February whole (929.99, paid 2020-02-29), one day of March
    (30.00). As of the day before February's pay day, on it, and after it."""
    from rewardengine.forecast.conditional import _wages
    from rewardengine.synth import monthly_wages

    begin, end = date(2020, 1, 31), date(2020, 3, 1)
    keep, pay, amount = monthly_wages(np.array([begin.toordinal()]),
                                      np.array([end.toordinal()]), np.array([929.99]))
    assert [(date.fromordinal(int(pay[0, k])).isoformat(), f"{amount[0, k]:.2f}")
            for k in np.nonzero(keep[0])[0]] == [
        ("2020-01-31", "30.00"), ("2020-02-29", "929.99"), ("2020-03-31", "30.00")]
    job = to_events([{"event_id": "W-e0", "customer_id": "W", "type": "employment",
                      "date": begin.isoformat(), "kind": "open", "evidence": "register",
                      "fte": "1.0", "wage": "929.99"}])[0]
    assert isinstance(job, Employment)
    seen = {on: [(r["date"], r["amount"]) for r in _wages(job, end, on, frozenset())]
            for on in (date(2020, 2, 28), date(2020, 2, 29), date(2020, 3, 1))}
    assert seen[date(2020, 2, 28)] == [("2020-02-29", "929.99"), ("2020-03-31", "30.00")]
    assert seen[date(2020, 2, 29)] == seen[date(2020, 3, 1)] == [("2020-03-31", "30.00")]


def test_where_wages_are_counted_a_job_begun_before_a_pay_day_by_the_as_of_would_show() -> None:
    """employment_condition_2024 counts monthly earnings, paid on each month's last day
    whenever the job is recorded: a new job begun by the as-of date (2020-03-31, March's pay
    day) would show by its March wages, so none begins by then; as of 2020-03-30 a job
    begun 2020-03-23 and recorded after it is unseen (its wages are paid the next day)."""
    plan, profile = _jobs_plan("share: 1, ongoing: 1, days_to_first: {fixed: 60}",
                               "employment_condition_2024")
    assert plan.earnings
    starts = [date(2020, 1, 23), date(2020, 1, 31), date(2020, 2, 1)]
    states = [_state(f"M{n}", start) for n, start in enumerate(starts)]
    before, on, after = _job_rows(plan, profile, states)
    assert before == [] and on == []
    assert {r["date"] for r in after} == {"2020-04-01"}
    earlier = State("M3", AS_OF - timedelta(days=1), date(2020, 1, 10), None,
                    date(2020, 1, 23), False, ())
    rows = _job_rows(plan, profile, [earlier] * 5)
    assert all({r["date"] for r in job} == {"2020-03-23"} for job in rows if job)
    assert any(rows)


def _wage_rows(april: str | None, *later: tuple[str, str, str]) -> list[Row]:
    """A job begun 2020-02-10 at 2,000.00 a month, no end recorded, and its wage rows as the
    generator writes them: February's 20 days of 29, March whole, and ``april`` (None: no
    row), then ``later`` rows (date, amount, kind)."""
    cid = "P"
    paid = [("2020-02-29", "1379.31", "open"), ("2020-03-31", "2000.00", "open"),
            *([("2020-04-30", april, "open")] if april else []), *later]
    return [{"event_id": "P-r", "customer_id": cid, "type": "referral", "date": "2020-01-10"},
            {"event_id": "P-s", "customer_id": cid, "type": "service_start",
             "date": "2020-01-15"},
            {"event_id": "P-e0", "customer_id": cid, "type": "employment",
             "date": "2020-02-10", "kind": "open", "evidence": "register", "fte": "1.0",
             "wage": "2000.00"},
            *({"event_id": f"P-w{k}", "customer_id": cid, "type": "earnings", "date": day,
               "kind": kind, "evidence": "register", "amount": amount}
              for k, (day, amount, kind) in enumerate(paid))]


def _continued(rows: list[Row], as_of: date) -> list[tuple[str, str, str]]:
    """The job's drawn versions (end, recorded) and the wages drawn after ``as_of``, for a
    cohort whose jobs go on (``ongoing: 1``), none after the first, with an end recorded 30
    days after it."""
    from rewardengine.engine import evaluate_customer
    from rewardengine.events.timeline import timeline

    plan, profile = _jobs_plan("ongoing: 1, more: 0, end_recorded_delay_days: {fixed: 30}",
                               "employment_condition_2024")
    known = [e for e in to_events(rows) if e.known_on <= as_of]
    state = State.of(evaluate_customer(plan.loaded, timeline("P", known, as_of)))
    drawn = _drawn(plan, [profile], [state], 4)[0]
    return [(r["type"], r.get("end") or r.get("amount", ""), r.get("recorded") or r["date"])
            for r in drawn if r["type"] in ("employment", "earnings")]


def test_a_part_months_wages_known_by_the_as_of_show_the_job_ended() -> None:
    """The generator pays a month's wage for the days worked in it: 1,000.00 for April 2020
    is 15 days of 30, so the job ended 2020-04-15 though its end is not recorded yet. Known
    (on April's pay day or after) the job is continued ended that day, its end recorded 30
    days later, and no wages after; it was drawn as going on, paid on for years. A day
    before, the row is not known, and the job goes on."""
    rows = _wage_rows("1000.00")
    before = _continued(rows, date(2020, 4, 29))
    assert before[0] == ("earnings", "2000.00", "2020-04-30") and len(before) == 35
    ended = [("employment", "2020-04-15", "2020-05-15")]
    assert _continued(rows, date(2020, 4, 30)) == _continued(rows, date(2020, 5, 1)) == ended
    # as of the day its end would have been recorded, the end is told the next day
    assert _continued(rows, date(2020, 5, 15)) == [("employment", "2020-04-15", "2020-05-16")]


def test_only_the_generators_wage_for_fewer_days_shows_an_end() -> None:
    """A whole month (2,000.00), or a lower amount that is no number of days' wage (1,500.00
    is 22.5 days of 30), shows no end: the job goes on. The first month's wages, for the
    days after the job began, show none either (February's 20 days, as of March 30)."""
    for april in ("2000.00", "1500.00"):
        going_on = _continued(_wage_rows(april), date(2020, 4, 30))
        assert going_on[0] == ("earnings", "2000.00", "2020-05-31") and len(going_on) == 34
    first = _continued(_wage_rows("1000.00"), date(2020, 3, 30))
    assert first[0] == ("earnings", "2000.00", "2020-03-31") and len(first) == 36


def test_a_jobs_first_month_is_not_read_for_its_end() -> None:
    """Job 1 at 2,000.00 ended 2020-03-10 and job 2 at the same wage began 2020-03-20:
    March pays job 1's 10 days (645.16) and job 2's 12 (774.19). 645.16 is also job 2's
    wage for 10 days: read in its first month, job 2 would have ended 2020-03-29. April's
    15 days show its end."""
    from rewardengine.events.model import Earnings
    from rewardengine.forecast.conditional import shown_end

    events = to_events([
        {"event_id": "J-e1", "customer_id": "J", "type": "employment", "date": "2020-03-20",
         "kind": "open", "evidence": "register", "fte": "1.0", "wage": "2000.00"},
        *({"event_id": f"J-w{k}", "customer_id": "J", "type": "earnings", "date": day,
           "kind": "open", "evidence": "register", "amount": amount}
          for k, (day, amount) in enumerate([("2020-03-31", "645.16"),
                                             ("2020-03-31", "774.19"),
                                             ("2020-04-30", "1000.00")]))])
    job, wages = events[0], [e for e in events if isinstance(e, Earnings)]
    assert isinstance(job, Employment)
    assert shown_end(job, wages[:2], date(2020, 4, 30)) is None
    assert shown_end(job, wages, date(2020, 4, 30)) == date(2020, 4, 15)
    assert shown_end(job.model_copy(update={"kind": "subsidised"}), wages,
                     date(2020, 4, 30)) is None


def test_wages_that_stop_after_a_whole_month_show_the_job_ended_on_its_last_day() -> None:
    """The generator pays every month a job runs: March paid whole (2,000.00) and no April
    row shows the job ended 2020-03-31, once April's wage is due (its pay day, 2020-04-30).
    A day before, it is not due: the job goes on, paid on. On the pay day and after it, the
    job ends 2020-03-31, its end (30 days after it, so by then) told the day after the as-of
    date, and no wages follow."""
    rows = _wage_rows(None)
    before = _continued(rows, date(2020, 4, 29))
    assert before[0] == ("earnings", "2000.00", "2020-04-30") and len(before) == 35
    assert _continued(rows, date(2020, 4, 30)) == [("employment", "2020-03-31", "2020-05-01")]
    assert _continued(rows, date(2020, 5, 1)) == [("employment", "2020-03-31", "2020-05-02")]


def test_wages_go_on_while_the_next_months_row_is_paid() -> None:
    """April paid (whole, or by a later job of the job's kind, 2020-04-30) and May not yet
    due: the job goes on. May due and unpaid: it ended 2020-04-30. A row of another kind
    in April is not the job's: as of April's pay day it ended 2020-03-31."""
    present = _continued(_wage_rows("2000.00"), date(2020, 5, 30))
    assert present[0] == ("earnings", "2000.00", "2020-05-31") and len(present) == 34
    assert _continued(_wage_rows("2000.00"), date(2020, 5, 31)) == [
        ("employment", "2020-04-30", "2020-06-01")]
    other = _wage_rows(None, ("2020-04-30", "2000.00", "subsidised"))
    assert _continued(other, date(2020, 4, 30)) == [("employment", "2020-03-31", "2020-05-01")]


def test_only_the_generators_whole_months_then_none_show_a_stop() -> None:
    """What is not read as an end on a month's last day (the job goes on): wages that stop
    in its first month (they may be the job before it's: February's 20 days, March unpaid,
    as of March's pay day or later); a last month paid less than the whole wage (1,500.00 is no
    number of days); a month unpaid between paid ones; a row of its kind paid on another
    day than a month's last; and any row of its kind after the month it stops in."""
    from rewardengine.events.model import Earnings
    from rewardengine.forecast.conditional import shown_end

    def end(rows: list[Row], as_of: date) -> date | None:
        events = to_events(rows)
        job = next(e for e in events if isinstance(e, Employment))
        return shown_end(job, [e for e in events if isinstance(e, Earnings)], as_of)

    may = date(2020, 5, 31)
    february = _wage_rows(None)[:-1]
    assert end(february, date(2020, 3, 31)) is None
    assert end(february, may) is None
    assert end(_wage_rows(None), may) == date(2020, 3, 31)
    assert end(_wage_rows("1500.00"), may) is None
    gap = _wage_rows(None, ("2020-05-31", "2000.00", "open"))
    assert end(gap, date(2020, 6, 30)) is None
    assert end(_wage_rows("2000.00", ("2020-04-15", "100.00", "open")), may) is None
    later = _wage_rows(None, ("2020-07-31", "2000.00", "open"))
    assert end(later, date(2020, 7, 31)) is None


def test_where_the_generator_stops_paying_a_job_going_on_no_stop_is_read() -> None:
    """The generator pays a job with no end for ``EARNED_MONTHS`` (36) months from its start.
    Begun 2020-01-01, a job going on is paid January 2020 to December 2022 (36 months): paid
    whole to 2022-12-31 and no more shows no end. Begun 2020-01-15, one going on is paid for
    January 2023 too (14 days: 903.23): whole to December and nothing in January shows it
    ended 2022-12-31 from January's pay day on; paid whole in January 2023 (it ran to its
    end at least) it shows nothing after (no later month is paid for any job)."""
    from rewardengine.events.model import Earnings
    from rewardengine.forecast.conditional import shown_end
    from rewardengine.synth import EARNED_MONTHS, monthly_wages
    from rewardengine.values import add_months

    def end(begin: date, months: int, as_of: date) -> date | None:
        paid = [add_months(begin.replace(day=1), k + 1) - timedelta(days=1)
                for k in range(1, months + 1)]
        events = to_events([
            {"event_id": "L-e0", "customer_id": "L", "type": "employment",
             "date": begin.isoformat(), "kind": "open", "evidence": "register", "fte": "1.0",
             "wage": "2000.00"},
            *({"event_id": f"L-w{k}", "customer_id": "L", "type": "earnings",
               "date": day.isoformat(), "kind": "open", "evidence": "register",
               "amount": "2000.00"} for k, day in enumerate(paid))])
        job = events[0]
        assert isinstance(job, Employment)
        return shown_end(job, [e for e in events if isinstance(e, Earnings)], as_of)

    assert EARNED_MONTHS == 36
    keep, _, amount = monthly_wages(np.array([date(2020, 1, 15).toordinal()]),
                                    np.array([-1]), np.array([2000.0]))
    assert keep[0, 36] and f"{amount[0, 36]:.2f}" == "903.23"
    assert end(date(2020, 1, 1), 35, date(2023, 3, 31)) is None
    assert end(date(2020, 1, 15), 35, date(2023, 1, 30)) is None
    assert end(date(2020, 1, 15), 35, date(2023, 1, 31)) == date(2022, 12, 31)
    assert end(date(2020, 1, 15), 36, date(2023, 3, 31)) is None


def test_a_job_paid_a_whole_month_is_not_drawn_to_end_before_that_months_last_day() -> None:
    """Begun 2020-02-10 at 2,000.00 and paid March whole (2,000.00 on 2020-03-31), the job
    ran to March's last day at least: as of then, its end is drawn on or after 2020-03-31.
    Lengths of 30 to 90 days and an end told 30 days late allowed ends from 2020-03-10 on
    (told after the as-of date), which the generator's wages for March would have shown as
    a part month; they were drawn before, ending the job 20 days before its paid month did.
    With no whole month paid after the first (as of 2020-03-30, March unpaid) such an end
    is still drawn. The wages ``worked_through`` reads: the latest month after the first
    paid the whole wage of the job's kind."""
    from rewardengine.engine import evaluate_customer
    from rewardengine.events.model import Earnings
    from rewardengine.events.timeline import timeline
    from rewardengine.forecast.conditional import worked_through

    plan, profile = _jobs_plan("ongoing: 0, more: 0, length_days: {uniform: [30, 90]}, "
                               "end_recorded_delay_days: {fixed: 30}",
                               "employment_condition_2024")

    def ends(as_of: date) -> list[date]:
        known = [e for e in to_events(_wage_rows(None)) if e.known_on <= as_of]
        state = State.of(evaluate_customer(plan.loaded, timeline("P", known, as_of)))
        drawn = _drawn(plan, [profile] * 200, [state] * 200, 5)
        return [date.fromisoformat(r["end"]) for rows in drawn for r in rows
                if r["type"] == "employment" and "end" in r]

    paid = ends(date(2020, 3, 31))
    assert len(paid) == 200 and min(paid) == date(2020, 3, 31)
    assert max(paid) > date(2020, 4, 15)
    unpaid = ends(date(2020, 3, 30))
    assert len(unpaid) == 200 and min(unpaid) < date(2020, 3, 20)

    events = to_events(_wage_rows("2000.00", ("2020-05-31", "1500.00", "open")))
    job = next(e for e in events if isinstance(e, Employment))
    wages = [e for e in events if isinstance(e, Earnings)]
    assert worked_through(job, wages[:1]) is None  # its first month is not read
    assert worked_through(job, wages[:2]) == date(2020, 3, 31)
    assert worked_through(job, wages) == date(2020, 4, 30)  # 1,500.00 is not a whole month
    assert worked_through(job.model_copy(update={"kind": "subsidised"}), wages) is None


def test_a_job_voided_going_on_is_paid_on_as_the_generator_pays_it() -> None:
    """The generator voids a job's rows, never its wages: a job voided going on is paid
    every month as before. Voided 2020-03-20 with February's 20 days (1,379.31) and March
    (2,000.00) paid, as of 2020-03-31 its wages after the as-of date are drawn (2,000.00 on
    2020-04-30 and 34 more months); they were not, and the forecast lost the months they
    count. Voided with no wage of its own paid (real data: a job that never was), or with
    only March paid, at an amount the job's wage does not give, nothing is drawn."""
    void = {**_wage_rows(None)[2], "recorded": "2020-03-20", "void": "true"}
    voided = [*_wage_rows(None), void]
    paid = _continued(voided, date(2020, 3, 31))
    assert paid[0] == ("earnings", "2000.00", "2020-04-30") and len(paid) == 35
    assert {r[0] for r in paid} == {"earnings"}
    assert _continued([*voided[:3], void], date(2020, 3, 31)) == []
    other = [*voided[:3], {**voided[4], "amount": "1999.99"}, void]
    assert _continued(other, date(2020, 3, 31)) == []


def _paid_first(wage: str, as_of: date, jobs: str = "", day: str = "2020-03-31",
                kind: str = "open", n: int = 1, seed: int = 6) -> list[list[Row]]:
    """Customers U with no job recorded by ``as_of`` and one wage row paid on ``day``
    (employment_condition_2024, its service begun 2020-01-15): each one's drawn rows."""
    from rewardengine.engine import evaluate_customer
    from rewardengine.events.timeline import timeline

    plan, profile = _jobs_plan(f"share: 1, days_to_first: {{uniform: [60, 90]}}, more: 0{jobs}",
                               "employment_condition_2024")
    rows = [{"event_id": "U-r", "customer_id": "U", "type": "referral", "date": "2020-01-10"},
            {"event_id": "U-s", "customer_id": "U", "type": "service_start",
             "date": "2020-01-15"},
            {"event_id": "U-w", "customer_id": "U", "type": "earnings", "date": day,
             "kind": kind, "evidence": "register", "amount": wage}]
    known = [e for e in to_events(rows) if e.known_on <= as_of]
    state = State.of(evaluate_customer(plan.loaded, timeline("U", known, as_of)))
    return _drawn(plan, [profile] * n, [state] * n, seed)


def test_a_first_job_whose_first_wage_is_paid_by_the_as_of_is_drawn_from_it() -> None:
    """The generator pays a job's first month on the month's last day whether the job is
    recorded or not (0 to 9 days after its begin). With every wage 3,100.00, 700.00 paid
    2020-03-31 is 7 days of March: as of that day (and of 2020-04-01) the job began
    2020-03-25, its first record after the as-of date, and April is paid whole; it was
    forecast as no job yet, with a new one begun after March's pay day. 600.00 and 800.00
    are 6 and 8 days."""
    fixed = ", wage: {fixed: 3100}, ongoing: 1"
    for as_of in (date(2020, 3, 31), date(2020, 4, 1)):
        for wage, begin in (("600.00", "2020-03-26"), ("700.00", "2020-03-25"),
                            ("800.00", "2020-03-24")):
            for rows in _paid_first(wage, as_of, fixed, n=5):
                job = [r for r in rows if r["type"] == "employment"]
                assert [(r["date"], r["wage"], r["kind"]) for r in job] == [
                    (begin, "3100.00", "open")]
                assert job[0]["recorded"] > as_of.isoformat()
                wages = [(r["date"], r["amount"]) for r in rows if r["type"] == "earnings"]
                assert wages[0] == ("2020-04-30", "3100.00") and len(wages) == 36


def test_a_first_wage_read_takes_its_kind_and_a_wage_that_pays_it_to_the_cent() -> None:
    """With the cohort's own wages and lengths: every job drawn begins in March by
    2020-03-31, is recorded after the as-of date, is of the wage row's kind, and its wage
    gives 400.00 for its days of March by the generator's rule, to the cent."""
    from rewardengine.synth import monthly_wages

    drawn = _paid_first("400.00", AS_OF, kind="apprenticeship", n=40)
    for rows in drawn:
        (job,) = [r for r in rows if r["type"] == "employment" and "end" not in r]
        assert date(2020, 3, 23) <= date.fromisoformat(job["date"]) <= AS_OF
        assert job["recorded"] > AS_OF.isoformat() and job["kind"] == "apprenticeship"
        _, _, amount = monthly_wages(np.array([date.fromisoformat(job["date"]).toordinal()]),
                                     np.array([-1]), np.array([float(job["wage"])]))
        assert f"{amount[0, 0]:.2f}" == "400.00"
    assert len({r[0]["date"] for r in drawn}) > 1  # the begin is drawn, not fixed


def test_a_first_wage_is_read_only_where_an_unrecorded_job_could_have_paid_it() -> None:
    """A job is recorded at most 9 days after it begins: a wage paid 2020-03-31 is a job's
    not yet recorded as of 2020-04-08 (begun that day, recorded 2020-04-09), never as of
    2020-04-09. A day before its pay day the row is not known. Read, one day's 3,100.00 is
    100.00."""
    from rewardengine.events.model import Earnings
    from rewardengine.forecast.conditional import unseen_wage

    row = to_events([{"event_id": "U-w", "customer_id": "U", "type": "earnings",
                      "date": "2020-03-31", "kind": "open", "evidence": "register",
                      "amount": "100.00"}])[0]
    assert isinstance(row, Earnings)
    seen = (date(2020, 3, 31), "open", row.amount)
    assert unseen_wage((), (), [row], date(2020, 4, 8)) == seen
    assert unseen_wage((), (), [row], date(2020, 4, 9)) is None
    assert unseen_wage((), (), [row, row], date(2020, 4, 8)) is None
    assert unseen_wage((), (), [row.model_copy(update={"date": date(2020, 3, 30)})],
                       date(2020, 4, 8)) is None
    fixed = ", wage: {fixed: 3100}, ongoing: 1"
    (rows,) = _paid_first("100.00", date(2020, 4, 8), fixed)
    assert [(r["date"], r["recorded"]) for r in rows if r["type"] == "employment"] == [
        ("2020-03-31", "2020-04-09")]
    (unread,) = _paid_first("100.00", date(2020, 4, 9), fixed)
    assert all(r["date"] > "2020-04-09" for r in unread if r["type"] == "employment")
    (before,) = _paid_first("100.00", date(2020, 3, 30), fixed)
    assert all(r["date"] > "2020-03-31" for r in before if r["type"] == "employment")


def test_a_job_ended_by_the_as_of_is_paid_its_last_month_after_it() -> None:
    """The generator pays a job's last month on the month's last day: begun 2020-02-10 at
    2,000.00 and ended 2020-03-15 (recorded 2020-03-20), it is paid 967.74 (15 days of 31)
    on 2020-03-31. As of 2020-03-30, a cut not at a month's end, that wage is drawn (it was
    not: a job ended by the as-of date had no wages after it); as of its pay day or after,
    it is a real row already, and nothing is drawn."""
    rows = _wage_rows(None)[:4]  # February's 20 days
    ended = {**rows[2], "end": "2020-03-15", "recorded": "2020-03-20"}
    march = {**rows[3], "event_id": "P-w9", "date": "2020-03-31", "amount": "967.74"}
    timeline = [*rows[:3], ended, rows[3], march]
    assert _continued(timeline, date(2020, 3, 20)) == [("earnings", "967.74", "2020-03-31")]
    assert _continued(timeline, date(2020, 3, 30)) == [("earnings", "967.74", "2020-03-31")]
    assert _continued(timeline, date(2020, 3, 31)) == []
    assert _continued(timeline, date(2020, 4, 1)) == []


def _three_years(january: str) -> list[Row]:
    """A job begun 2020-01-15 at 2,000.00, no end recorded, paid its first month (17 days,
    1,096.77), every month whole to December 2022, and ``january`` for January 2023."""
    cid = "P"
    paid = [("2020-01-31", "1096.77")]
    paid += [((date(2020 + (m // 12), m % 12 + 1, 1) - timedelta(days=1)).isoformat(),
              "2000.00") for m in range(2, 37)]
    paid.append(("2023-01-31", january))
    return [{"event_id": "P-r", "customer_id": cid, "type": "referral", "date": "2020-01-10"},
            {"event_id": "P-s", "customer_id": cid, "type": "service_start",
             "date": "2020-01-12"},
            {"event_id": "P-e0", "customer_id": cid, "type": "employment",
             "date": "2020-01-15", "kind": "open", "evidence": "register", "fte": "1.0",
             "wage": "2000.00"},
            *({"event_id": f"P-w{k}", "customer_id": cid, "type": "earnings", "date": day,
               "kind": "open", "evidence": "register", "amount": amount}
              for k, (day, amount) in enumerate(paid))]


def test_a_part_37th_month_paid_as_to_a_job_going_on_shows_no_end() -> None:
    """Begun 2020-01-15, a job going on is paid 36 months from its begin: whole to December
    2022, then 14 days of January 2023 (903.23), to 2023-01-14. That part month is what a
    job going on is paid: it was read as the job's end on 2023-01-14 (its end recorded
    later, and the chain going on after it); now the job goes on, and nothing follows.
    13 days (838.71) show it ended 2023-01-13; 15 days (967.74), 2023-01-15 (a job that
    ends is paid for its days in the month, past the 36 months)."""
    from rewardengine.events.model import Earnings
    from rewardengine.forecast.conditional import shown_end

    def end(january: str) -> date | None:
        events = to_events(_three_years(january))
        job = next(e for e in events if isinstance(e, Employment))
        return shown_end(job, [e for e in events if isinstance(e, Earnings)],
                         date(2023, 2, 28))

    assert end("903.23") == date.max
    assert end("838.71") == date(2023, 1, 13)
    assert end("967.74") == date(2023, 1, 15)
    as_of = date(2023, 2, 28)
    assert _continued(_three_years("903.23"), as_of) == []
    assert _continued(_three_years("838.71"), as_of) == [
        ("employment", "2023-01-13", "2023-03-01")]


def test_the_generators_job_voided_with_no_end_is_the_last_of_its_chain() -> None:
    """Why a job voided with no end ends a forecast's chain: the generator voids a job
    after its last record, an end included, and the void carries the job's end, so a void
    with no end is a job going on, which ends the generator's chain too. Over 400
    generated customers (half their jobs voided, half going on), no job begins after one
    voided with no end, and jobs do begin after those voided with one."""
    import csv
    import io

    from rewardengine.synth import write_events

    plan, _ = _jobs_plan("share: 1, voided: 0.5, ongoing: 0.5, more: {poisson: {mean: 2}}")
    out = io.StringIO()
    write_events(plan, 400, 11, out)
    jobs: dict[str, list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(out.getvalue())):
        if row["type"] == "employment":
            jobs.setdefault(row["customer_id"], []).append(row)
    voids, after = {"end": 0, "none": 0}, {"end": 0, "none": 0}
    for rows in jobs.values():
        for void in (r for r in rows if r["void"] == "true"):
            which = "end" if void["end"] else "none"
            voids[which] += 1
            after[which] += sum(1 for r in rows if r["date"] > void["date"])
    assert voids["none"] > 50 and after["none"] == 0
    assert voids["end"] > 50 and after["end"] > 0


def _starts(plan: Plan, profile: Profile, states: list[State], seed: int = 5) -> list[str]:
    """Each customer's drawn service start ('' where none is drawn)."""
    return [next((r["date"] for r in rows if r["type"] == "service_start"), "")
            for rows in _drawn(plan, [profile] * len(states), states, seed)]


def test_a_service_not_started_by_the_as_of_starts_only_where_the_generator_could() -> None:
    """The generator starts 92 % of services 1 to 20 days after the referral (whole days of
    uniform 1 to 21). Referred 20 days before the as-of date, a service not started by then
    never starts: none of 2,000 draws starts it (0.92 ** 64, about 0.5 %, started the day
    after the as-of date when 64 draws found no later start). Referred 19 days before, it
    starts on the 20th day, the day after the as-of date, with the chance 0.92 x 0.05 /
    (0.92 x 0.05 + 0.08) = 0.365 (sd 0.011 over 2,000)."""
    plan, profile = _jobs_plan("share: 0")
    n = 2000
    late = _starts(plan, profile, [_state("L", None, referral=AS_OF - timedelta(days=20))] * n)
    assert late == [""] * n
    near = _starts(plan, profile, [_state("N", None, referral=AS_OF - timedelta(days=19))] * n)
    assert set(near) == {"", "2020-04-01"}
    assert abs(near.count("2020-04-01") / n - 0.046 / 0.126) < 0.045


def test_a_customer_whose_job_began_before_any_service_start_never_starts_one() -> None:
    """The generator's first job begins its days to it (0 or more by default) after the
    service start, or after the referral when the service never starts: a job known by the
    as-of date, with no service started, says the service never starts (it was drawn to
    start with the chance of a customer referred 6 days before, about 0.89). Where a job may
    begin 10 days before the service start, a job begun 10 days before the as-of date still
    says so, and one begun 9 days before allows a start on the day after the as-of only."""
    ref = AS_OF - timedelta(days=6)
    plan, profile = _jobs_plan("share: 1")
    known = _state("J", None, jobs=(_job("J", "2020-03-27"),), referral=ref)
    voided = State("V", AS_OF, ref, None, None, False, (), voided=(_job("V", "2020-03-27"),))
    assert _starts(plan, profile, [known, voided] * 200) == [""] * 400
    alone = _starts(plan, profile, [_state("A", None, referral=ref)] * 400)
    assert 300 < sum(1 for d in alone if d) < 400  # no job known: as before
    plan, profile = _jobs_plan("share: 1, days_to_first: {uniform: [-10, 60]}")
    far = _state("F", None, jobs=(_job("F", "2020-03-21"),), referral=ref)
    near = _state("G", None, jobs=(_job("G", "2020-03-22"),), referral=ref)
    assert _starts(plan, profile, [far] * 400) == [""] * 400
    assert set(_starts(plan, profile, [near] * 400)) == {"", "2020-04-01"}


def test_a_first_wage_paid_before_any_service_start_is_read_as_its_first_job() -> None:
    """A wage paid 2020-03-31 with no job recorded and no service started (referred
    2020-03-25): the job it pays began by then, so the service never starts and the job is
    drawn from the wage (its begin in March, the referral its anchor). The service was drawn
    to start after the as-of date nine times in ten, and the job then drawn as one unseen,
    begun after the start."""
    from rewardengine.engine import evaluate_customer
    from rewardengine.events.timeline import timeline

    plan, profile = _jobs_plan("share: 1, days_to_first: {uniform: [0, 30]}, more: 0, "
                               "wage: {fixed: 3100}, ongoing: 1", "employment_condition_2024")
    rows = [{"event_id": "U-r", "customer_id": "U", "type": "referral", "date": "2020-03-25"},
            {"event_id": "U-w", "customer_id": "U", "type": "earnings", "date": "2020-03-31",
             "kind": "open", "evidence": "register", "amount": "700.00"}]
    state = State.of(evaluate_customer(plan.loaded, timeline("U", to_events(rows), AS_OF)))
    assert state.service_start is None and state.unseen_wage is not None
    for drawn in _drawn(plan, [profile] * 50, [state] * 50, 6):
        assert not any(r["type"] == "service_start" for r in drawn)
        assert [r["date"] for r in drawn if r["type"] == "employment"] == ["2020-03-25"]


def test_a_service_not_started_is_drawn_given_that_no_job_shows_by_the_as_of() -> None:
    """Every customer's first job begins on its anchor (the service start, or the referral
    when the service never starts), recorded 0 to 9 days later. Referred 9 days before the
    as-of date, a service that never started would have its job recorded by then: with none
    known, the service starts in every draw (it never did in 0.08 / (0.08 + 0.92 x 0.55),
    about 14 %, of them). Referred 8 days before, the job is unseen when recorded 9 days
    late: it never starts with the chance 0.08 x 0.1 / (0.008 + 0.92 x 0.6), 1.4 % (28 of
    2,000, sd 5)."""
    plan, profile = _jobs_plan("share: 1, days_to_first: {fixed: 0}")
    n = 2000
    nine = _starts(plan, profile, [_state("A", None, referral=AS_OF - timedelta(days=9))] * n)
    assert "" not in nine
    eight = _starts(plan, profile, [_state("B", None, referral=AS_OF - timedelta(days=8))] * n)
    assert 10 <= eight.count("") <= 50


def test_the_generator_begins_no_job_before_a_service_start() -> None:
    """The rule the forecast reads a job before a service start by: over 1,000 generated
    customers, every job of a customer whose service starts begins on or after its start,
    and some customers whose service never starts have jobs (anchored at the referral)."""
    import csv
    import io

    from rewardengine.synth import write_events

    plan = _plan("tehostettu_tyonvalitys")
    out = io.StringIO()
    write_events(plan, 1000, 12, out)
    starts: dict[str, str] = {}
    referred: dict[str, str] = {}
    jobs: dict[str, list[str]] = {}
    earlier: list[dict[str, str]] = []
    for row in csv.DictReader(io.StringIO(out.getvalue())):
        if row["type"] == "service_start":
            starts[row["customer_id"]] = row["date"]
        elif row["type"] == "referral":
            referred.setdefault(row["customer_id"], row["date"])
        elif row["type"] == "employment" and row["event_id"].endswith("-p"):
            earlier.append(row)  # earlier work: ended before the referral, read apart
        elif row["type"] == "employment":
            jobs.setdefault(row["customer_id"], []).append(row["date"])
    assert all(min(days) >= starts[cid] for cid, days in jobs.items() if cid in starts)
    assert any(cid not in starts for cid in jobs)
    assert earlier and all(r["end"] < referred[r["customer_id"]] for r in earlier)
