"""A forecast's cohort fitted as of its as-of date (``--fit``, ``--from-events``,
``cohort fit --as-of``), the customers a forecast leaves out counted, and the problems said
beside a JSON result."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app
from rewardengine.events.model import EventBase
from rewardengine.forecast.ahead import NOT_FORECAST
from rewardengine.forecast.fit import fit_cohort
from rewardengine.pipeline import load

ROOT = Path(__file__).resolve().parent.parent
TEHOSTETTU = str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml")
SUJUVAT = str(ROOT / "contracts" / "sujuvat_palvelupolut.yaml")
CUT = date(2019, 9, 30)
runner = CliRunner()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """Generated events of the whole contract, and the rows of them known by ``CUT``."""
    where = tmp_path_factory.mktemp("as_of")
    full = where / "full.csv"
    done = runner.invoke(app, ["generate", TEHOSTETTU, "-n", "300", "--seed", "4",
                               "-o", str(full)])
    assert done.exit_code == 0, done.output
    with full.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    date_at, recorded_at = head.index("date"), head.index("recorded")
    cut = where / "cut.csv"
    with cut.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(head)
        writer.writerows(r for r in rows[1:]
                         if date.fromisoformat(r[recorded_at] or r[date_at]) <= CUT)
    return str(full), str(cut)


def _events(path: str) -> list[EventBase]:
    state = load(TEHOSTETTU, [path])
    return list(state.events.events)


def test_a_fit_as_of_a_date_is_the_fit_of_the_rows_known_by_it(
        generated: tuple[str, str]) -> None:
    full, cut = generated
    loaded = load(TEHOSTETTU, []).contract
    assert loaded is not None
    known = fit_cohort(loaded, _events(cut))
    assert known.as_of == CUT  # the cut file's last row is known on the cut
    as_of = fit_cohort(loaded, _events(full), CUT)
    assert as_of.text == known.text
    assert fit_cohort(loaded, _events(full)).text != known.text  # the whole file sees more


@pytest.mark.parametrize("days", [-1, 0, 1, 400])
def test_a_fit_as_of_a_date_after_the_data_is_the_fit_as_of_its_last_day(
        generated: tuple[str, str], days: int) -> None:
    # the data cannot say nothing happened after its last day: no one is followed past it
    _, cut = generated
    loaded = load(TEHOSTETTU, []).contract
    assert loaded is not None
    events = _events(cut)
    fitted = fit_cohort(loaded, events, date.fromordinal(CUT.toordinal() + days))
    plain = fit_cohort(loaded, events)
    assert (fitted.text == plain.text) is (days >= 0)
    assert fitted.as_of == min(CUT, date.fromordinal(CUT.toordinal() + days))


def test_cohort_fit_as_of_writes_the_cohort_of_the_rows_known_by_it(
        generated: tuple[str, str], tmp_path: Path) -> None:
    full, cut = generated
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    by_date = runner.invoke(app, ["cohort", "fit", TEHOSTETTU, full, "--as-of", str(CUT),
                                  "-o", str(one)])
    assert by_date.exit_code == 0, by_date.output
    assert f"as of {CUT}" in by_date.stderr
    known = runner.invoke(app, ["cohort", "fit", TEHOSTETTU, cut, "-o", str(two)])
    assert known.exit_code == 0, known.output
    assert one.read_bytes() == two.read_bytes()
    bad = runner.invoke(app, ["cohort", "fit", TEHOSTETTU, full, "--as-of", "2019-13-01"])
    assert bad.exit_code == 2 and "--as-of" in bad.output
    before = runner.invoke(app, ["cohort", "fit", TEHOSTETTU, full, "--as-of", "2000-01-01"])
    assert before.exit_code == 1
    assert "G109" in before.output and "known by 2000-01-01" in before.output


def test_a_forecast_fits_its_cohort_as_of_its_as_of_date(generated: tuple[str, str]) -> None:
    # the whole file's later rows would show the cohort what the forecast is to find out
    full, cut = generated
    whole = api.forecast_customers(api.Request(TEHOSTETTU, from_events=(full,), runs=4,
                                               seed=3), [full], CUT)
    known = api.forecast_customers(api.Request(TEHOSTETTU, from_events=(cut,), runs=4,
                                               seed=3), [full], CUT)
    assert whole.result is not None and known.result is not None
    assert whole.result.to_dict() == known.result.to_dict()


def test_fit_is_from_events_of_the_forecasts_own_events(generated: tuple[str, str]) -> None:
    full, _ = generated
    common = ["forecast", TEHOSTETTU, full, "--as-of", str(CUT), "--runs", "3", "-f", "json"]
    fit = runner.invoke(app, [*common, "--fit"])
    assert fit.exit_code == 0, fit.output
    named = runner.invoke(app, [*common, "--from-events", full])
    assert named.exit_code == 0, named.output
    assert fit.stdout == named.stdout
    plain = runner.invoke(app, common)  # the default cohort
    assert plain.exit_code == 0 and plain.stdout != fit.stdout


@pytest.mark.parametrize("other", [["--cohort", "c.yaml"], ["--from-events", "e.csv"]])
def test_fit_with_another_cohort_is_a_usage_error(generated: tuple[str, str],
                                                  other: list[str]) -> None:
    full, _ = generated
    done = runner.invoke(app, ["forecast", TEHOSTETTU, full, "--as-of", str(CUT), "--fit",
                               *other])
    assert done.exit_code == 2
    assert "give --fit, --cohort or --from-events, only one" in done.output


def test_json_carries_the_problems_said_on_stderr(generated: tuple[str, str]) -> None:
    full, _ = generated
    done = runner.invoke(app, ["forecast", TEHOSTETTU, full, "--as-of", str(CUT), "--fit",
                               "--runs", "3", "-f", "json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    codes = [p["code"] for p in doc["problems"]]
    assert "G108" in codes and "G108" in done.stderr  # cut mid-contract: said both ways
    # the JSON is the library's outcome, whole
    found = api.forecast_customers(api.Request(TEHOSTETTU, from_events=(full,), runs=3),
                                   [full], CUT)
    assert found.result is not None
    assert doc == json.loads(json.dumps(found.document(found.result.to_dict())))


def test_simulate_and_price_json_carry_their_problems(generated: tuple[str, str]) -> None:
    _, cut = generated
    sim = runner.invoke(app, ["simulate", TEHOSTETTU, "--from-events", cut, "--runs", "2",
                              "-n", "50", "-f", "json"])
    assert sim.exit_code == 0, sim.output
    said = {p["code"] for p in json.loads(sim.stdout)["problems"]}
    assert said and said <= {"G105", "G108"}
    assert all(f"{code} info" in sim.stderr for code in said)
    clean = runner.invoke(app, ["simulate", TEHOSTETTU, "--runs", "2", "-n", "20", "-f",
                                "json"])
    assert clean.exit_code == 0 and json.loads(clean.stdout)["problems"] == []
    priced = runner.invoke(app, ["price", TEHOSTETTU, "--from-events", cut, "--runs", "2",
                                 "-n", "50", "--target-per-customer", "300", "--solve",
                                 "result", "-f", "json"])
    assert priced.exit_code == 0, priced.output
    assert {p["code"] for p in json.loads(priced.stdout)["problems"]} == said


def _rows(tmp_path: Path, rows: str) -> str:
    path = tmp_path / "events.csv"
    path.write_text("event_id,customer_id,type,date,recorded,end,provider,birth_date,hours,"
                    "activity\n" + rows)
    return str(path)


# as of 2020-06-30: A in progress; B referred the day after; C a day before, recorded after;
# D with no referral at all; E with a referral naming no provider of this consortium
LEFT_OUT_ROWS = ("A-r,A,referral,2020-01-13,,,member_a,2001-03-10,,\n"
                 "A-s,A,service_start,2020-01-20,,,member_a,,,\n"
                 "B-r,B,referral,2020-07-01,,,member_b,2001-03-10,,\n"
                 "C-r,C,referral,2020-06-29,2020-07-01,,member_a,2001-03-10,,\n"
                 "D-h,D,hours,2020-03-02,,,member_a,,2,coaching\n"
                 "E-r,E,referral,2020-02-03,,,,2001-03-10,,\n"
                 # E's provider is named after the as-of date: member_b's, by all its rows
                 "E-s,E,service_start,2020-07-06,2020-07-06,,member_b,,,\n")


@pytest.mark.parametrize(("provider", "counts"), [
    (None, {"referred_later": 2, "no_referral": 1, "problems": 1}),
    # D's hours name member_a, but only a service start or a referral names a customer's
    # provider (as the evaluation reads it): D is no member's
    ("member_a", {"referred_later": 1, "no_referral": 0, "problems": 0}),
    ("member_b", {"referred_later": 1, "no_referral": 0, "problems": 1}),
])
def test_the_customers_not_forecast_are_counted_by_why(
        tmp_path: Path, provider: str | None, counts: dict[str, int]) -> None:
    events = _rows(tmp_path, LEFT_OUT_ROWS)
    found = api.forecast_customers(api.Request(SUJUVAT, runs=2, seed=1), [events],
                                   date(2020, 6, 30), provider)
    assert found.result is not None, found.problems
    assert [c.customer_id for c in found.result.customers] == (
        ["A"] if provider in (None, "member_a") else [])
    assert found.result.to_dict()["not_forecast"] == counts
    args = ["forecast", SUJUVAT, events, "--as-of", "2020-06-30", "--runs", "2"]
    shown = runner.invoke(app, args + (["--provider", provider] if provider else []))
    # a customer with a problem of its own is named, as evaluate names it (exit 1)
    assert shown.exit_code == (1 if counts["problems"] else 0), shown.output
    assert ("V001 customer cannot be evaluated: no provider named" in shown.stderr) \
        is bool(counts["problems"])
    # member_b has no customer in progress: said so (V007), not an empty table alone
    assert [p.code for p in found.problems] == (["V001"] if counts["problems"] else []) + (
        ["V007"] if provider == "member_b" else [])
    # nothing ahead in each of the runs asked for (the JSON said "runs": 0 beside "runs": 2)
    assert found.result.to_dict()["ahead"]["runs"] == 2
    if provider == "member_b":
        assert found.result.to_dict()["ahead"] == {
            "mean": "0.00", "p10": "0.00", "p50": "0.00", "p90": "0.00", "runs": 2,
            "se": "0.00"}
    told = [f"not forecast: {n} customer{'s' if n > 1 else ''} {NOT_FORECAST[k]}"
            for k, n in counts.items() if n]
    assert [ln for ln in shown.stdout.splitlines() if ln.startswith("not forecast")] == told


def test_a_forecast_with_every_customer_in_progress_says_nothing_left_out(
        tmp_path: Path) -> None:
    events = _rows(tmp_path, LEFT_OUT_ROWS.splitlines(keepends=True)[0]
                   + LEFT_OUT_ROWS.splitlines(keepends=True)[1])
    found = api.forecast_customers(api.Request(SUJUVAT, runs=2, seed=1), [events],
                                   date(2020, 6, 30))
    assert found.result is not None
    assert found.result.to_dict()["not_forecast"] == {
        "referred_later": 0, "no_referral": 0, "problems": 0}
    assert found.result.not_forecast_told() == []
    shown = runner.invoke(app, ["forecast", SUJUVAT, events, "--as-of", "2020-06-30",
                                "--runs", "2"])
    assert shown.exit_code == 0 and "not forecast" not in shown.stdout


def test_the_report_counts_those_not_forecast_in_its_language(tmp_path: Path) -> None:
    events = _rows(tmp_path, LEFT_OUT_ROWS)
    found = api.forecast_customers(api.Request(SUJUVAT, runs=2, seed=1), [events],
                                   date(2020, 6, 30))
    assert found.result is not None
    assert ("not forecast: 2 customers with a referral (or a start, where none is needed) "
            "recorded only after the as-of date; 1 customer with no referral in the events "
            "(none, or one retracted; nor a start, where none is needed); 1 customer with a "
            "problem of their own (evaluate names it)") in api.forecast_html(found.result, "en")
    # one customer in the singular (a trial read "1 asiakas joilla"); a Finnish relative
    # clause after its comma
    assert ("ei ennustettu: 2 asiakasta, joiden ohjaus (tai aloitus, jos ohjausta ei "
            "tarvita) on kirjattu vasta tarkastelupäivän jälkeen; 1 asiakas, jolla ei ole "
            "ohjausta tiedoissa (ei lainkaan tai peruttu; eikä aloitusta, jos ohjausta ei "
            "tarvita); 1 asiakas, jonka tiedoissa on oma virhe") in api.forecast_html(
        found.result, "fi")


def test_customers_with_nothing_ahead_are_counted(tmp_path: Path) -> None:
    # as of 2020-06-30, T was paid its result in May and its job runs on as recorded; P's
    # job is 60 days in, its result (90 days) still pending and likely ahead
    path = tmp_path / "events.csv"
    path.write_text("event_id,customer_id,type,date,recorded,end,kind,evidence,fte,"
                    "hours_per_week\n"
                    "T-r,T,referral,2020-01-07,,,,,,\n"
                    "T-s,T,service_start,2020-01-13,,,,,,\n"
                    "T-e,T,employment,2020-02-03,,2020-12-31,open,register,1.0,37.5\n"
                    "P-r,P,referral,2020-03-02,,,,,,\n"
                    "P-s,P,service_start,2020-03-09,,,,,,\n"
                    "P-e,P,employment,2020-05-01,,,open,register,1.0,37.5\n")
    found = api.forecast_customers(api.Request(TEHOSTETTU, runs=20, seed=2), [str(path)],
                                   date(2020, 6, 30))
    assert found.result is not None, found.problems
    by = {c.customer_id: c for c in found.result.customers}
    assert by["T"].earned > 0 and not by["T"].pending and not by["T"].moves
    assert by["P"].moves and by["P"].pending
    assert found.result.done == 1
    assert found.result.to_dict()["customers_with_nothing_ahead"] == 1
    shown = runner.invoke(app, ["forecast", TEHOSTETTU, str(path), "--as-of", "2020-06-30",
                                "--runs", "20", "--seed", "2"])
    assert shown.exit_code == 0, shown.output
    assert "2 customers in progress (1 with nothing ahead)" in shown.stdout


def test_fit_before_any_referral_is_refused_as_without_it(generated: tuple[str, str]) -> None:
    full, _ = generated
    for extra in ([], ["--fit"]):
        done = runner.invoke(app, ["forecast", TEHOSTETTU, full, "--as-of", "2018-06-30",
                                   "--runs", "2", *extra])
        assert done.exit_code == 2, done.output
        # tehostettu needs no referral: a service start would have done
        assert ("no referral or service start is recorded by the as-of date 2018-06-30"
                in done.output)


def _finnish(plain: str) -> bytes:
    """``plain`` CSV as a Finnish spreadsheet writes it: ';' between cells, decimal commas,
    d.m.yyyy dates, cp1252 (a job ended for 'työsuhde päättyi')."""
    out = []
    for n, row in enumerate(csv.reader(plain.splitlines())):
        cells = []
        for cell in row:
            if n and len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
                y, m, d = cell.split("-")
                cell = f"{int(d)}.{int(m)}.{y}"
            elif n and cell.replace(".", "", 1).isdigit() and "." in cell:
                cell = cell.replace(".", ",")
            cells.append(cell)
        out.append(";".join(cells))
    return ("\n".join(out) + "\n").encode("cp1252")


@pytest.mark.parametrize("how", [["--dialect", "fi", "--encoding", "cp1252"],
                                 ["--delimiter", ";", "--decimal-comma", "--date-format",
                                  "d.m.yyyy", "--encoding", "cp1252"]])
def test_forecast_and_fit_read_a_spreadsheets_dialect(generated: tuple[str, str],
                                                      tmp_path: Path, how: list[str]) -> None:
    _, cut = generated
    finnish = tmp_path / "fi.csv"
    finnish.write_bytes(_finnish(Path(cut).read_text(encoding="utf-8")))
    for args in (["forecast", TEHOSTETTU, "EVENTS", "--as-of", str(CUT), "--fit", "--runs",
                  "2", "-f", "json"],
                 ["cohort", "fit", TEHOSTETTU, "EVENTS"],
                 ["simulate", TEHOSTETTU, "--from-events", "EVENTS", "--runs", "2", "-n", "20",
                  "-f", "json"],
                 ["price", TEHOSTETTU, "--from-events", "EVENTS", "--runs", "2", "-n", "20",
                  "--target-per-customer", "300", "--solve", "result", "-f", "json"]):
        plain = runner.invoke(app, [cut if a == "EVENTS" else a for a in args])
        assert plain.exit_code == 0, plain.output
        read = runner.invoke(app, [str(finnish) if a == "EVENTS" else a for a in args] + how)
        assert read.exit_code == 0, (args, read.output)
        assert "F005 info: read as cp1252" in read.stderr
        if args[0] == "cohort":
            assert read.stdout == plain.stdout
            continue
        # the same result; beside it, the note of how the file was read
        got, want = json.loads(read.stdout), json.loads(plain.stdout)
        said = got.pop("problems")
        assert [p["code"] for p in said] == ["F005", *(p["code"] for p in
                                                        want.pop("problems"))]
        assert got == want, args


@pytest.mark.parametrize(("contract", "rows", "missing"), [
    (TEHOSTETTU, "", "no referral or service start"),  # a header alone
    # an extract that left the referrals out, of a contract whose segments need them
    (SUJUVAT, "T-s,T,service_start,2020-01-13,,\n", "no referral"),
    (TEHOSTETTU, "T-s,T,service_start,2020-01-13,2020-01-13,true\n",  # a start, voided
     "no referral or service start"),
    (SUJUVAT, "T-r,T,referral,2020-01-07,,\nT-r,T,referral,2020-01-07,2020-01-08,true\n",
     "no referral"),  # voided
])
def test_events_with_no_referral_are_not_forecast_as_nothing(
        tmp_path: Path, contract: str, rows: str, missing: str) -> None:
    path = tmp_path / "events.csv"
    path.write_text("event_id,customer_id,type,date,recorded,void\n" + rows)
    done = runner.invoke(app, ["forecast", contract, str(path), "--as-of", "2020-06-30",
                               "--runs", "2"])
    assert done.exit_code == 1, done.output
    assert f": V005 {missing} stands in the events" in done.stderr
    fitted = runner.invoke(app, ["forecast", contract, str(path), "--as-of", "2020-06-30",
                                 "--runs", "2", "--fit"])
    assert fitted.exit_code == 1 and "G109" in fitted.stderr, fitted.output


VOUCHER = str(ROOT / "contracts" / "avgs_placement_voucher.yaml")
VOUCHER_EVENTS = str(ROOT / "examples" / "avgs_placement_voucher" / "events.csv")


def test_a_voucher_customer_enters_on_the_service_start() -> None:
    """A contract without segments needs no referral (a voucher programme's data has none):
    its customers are forecast from their service start, as the evaluation pays them."""
    req = api.Request(VOUCHER, runs=20, seed=3)
    found = api.forecast_customers(req, [VOUCHER_EVENTS], date(2014, 6, 30))
    assert found.result is not None, found.problems
    # started by 2014-06-30: A01, A03, A04, A05, A06; A02, A07, A08, A09 start later
    assert [c.customer_id for c in found.result.customers] == [
        "A01", "A03", "A04", "A05", "A06"]
    assert found.result.to_dict()["not_forecast"] == {
        "referred_later": 4, "no_referral": 0, "problems": 0}
    # the two instalments of one fee, both pending, are told apart by which they are
    by = {c.customer_id: c for c in found.result.customers}
    assert [n for n, _ in by["A03"].pending_named()] == [
        "placement_fee step:6 weeks", "placement_fee step:6 months"]
    assert [n for n, _ in by["A01"].pending_named()] == ["placement_fee"]
    assert [p["occurrence"] for p in by["A03"].to_dict()["pending"]] == [
        "step:6 weeks", "step:6 months"]
    # one day short of A06's start (2014-01-13, the first): nobody has entered yet
    with pytest.raises(api.ForecastError, match="no referral or service start is recorded "
                       "by the as-of date 2014-01-12 \\(the first is recorded on 2014-01-13"):
        api.forecast_customers(req, [VOUCHER_EVENTS], date(2014, 1, 12))
    on = api.forecast_customers(req, [VOUCHER_EVENTS], date(2014, 1, 13))
    assert on.result is not None
    assert [c.customer_id for c in on.result.customers] == ["A06"]
    # the fit reads a start as the day the customer was referred
    fit = fit_cohort(load(VOUCHER, [VOUCHER_EVENTS]).contract, _events(VOUCHER_EVENTS),
                     date(2015, 6, 30))
    assert fit.customers == 9
    assert "per_month: {2014-01: 1, 2014-03: 1, 2014-04: 2, 2014-06: 1, 2014-08: 1, " \
        "2014-09: 1, 2015-01: 1, 2015-03: 1}" in fit.text


def test_a_referral_stands_as_its_last_version_known_by_the_day_says() -> None:
    from rewardengine.forecast.commands import _entered_by, _first_entry
    from rewardengine.forecast.runs import to_events
    from rewardengine.pipeline import load_contract

    loaded, _ = load_contract(TEHOSTETTU)
    assert loaded is not None

    rows = to_events([
        {"event_id": "A-r", "customer_id": "A", "type": "referral", "date": "2020-01-07"},
        # retracted on 2020-03-01: standing on the day before, gone on the day
        {"event_id": "A-r", "customer_id": "A", "type": "referral", "date": "2020-01-07",
         "recorded": "2020-03-01", "void": "true"},
        {"event_id": "B-r", "customer_id": "B", "type": "referral", "date": "2020-02-01",
         "recorded": "2020-04-01"},
    ])
    assert _entered_by(loaded, rows, date(2020, 1, 6)) is False
    assert _entered_by(loaded, rows, date(2020, 1, 7)) is True
    assert _entered_by(loaded, rows, date(2020, 2, 29)) is True
    assert _entered_by(loaded, rows, date(2020, 3, 1)) is False
    assert _entered_by(loaded, rows, date(2020, 3, 31)) is False
    assert _entered_by(loaded, rows, date(2020, 4, 1)) is True
    assert _entered_by(loaded, rows) is True
    assert _first_entry(loaded, rows, date(2020, 1, 6)) == date(2020, 1, 7)
    # after a day, the first day after it on which one had entered (A's retraction is no entry)
    assert _first_entry(loaded, rows, date(2020, 1, 7)) == date(2020, 4, 1)
    assert _first_entry(loaded, rows, date(2020, 4, 1)) is None


@pytest.mark.parametrize(("contract", "rows", "first"), [
    # a referral recorded late, and a re-referral recorded on its day: entered by the second
    (TEHOSTETTU, [("R1", "referral", "2020-01-05", "2020-03-01"),
                  ("R2", "referral", "2020-02-01", "2020-02-01"),
                  ("S", "service_start", "2020-02-10", "2020-02-10")], "2020-02-01"),
    # two service starts of a voucher customer, the first recorded after the second
    (VOUCHER, [("S1", "service_start", "2014-03-03", "2014-05-01"),
               ("S2", "service_start", "2014-03-20", "2014-03-20")], "2014-03-20"),
])
def test_the_first_entry_is_the_first_day_a_row_entered_the_customer(
        tmp_path: Path, contract: str, rows: list[tuple[str, str, str, str]],
        first: str) -> None:
    path = tmp_path / "events.csv"
    path.write_text("event_id,customer_id,type,date,recorded\n" + "".join(
        f"{i},C,{t},{d},{r}\n" for i, t, d, r in rows))
    day = date.fromisoformat(first)
    with pytest.raises(api.ForecastError, match=f"recorded by the as-of date "
                       f"{day - timedelta(days=1)} \\(the first is recorded on {first}\\)"):
        api.forecast_customers(api.Request(contract, runs=2), [str(path)],
                               day - timedelta(days=1))
    on = api.forecast_customers(api.Request(contract, runs=2), [str(path)], day)
    assert on.result is not None and [c.customer_id for c in on.result.customers] == ["C"]



def test_a_forecast_names_the_cohort_it_draws_from(generated: tuple[str, str],
                                                   tmp_path: Path) -> None:
    full, _ = generated
    args = ["forecast", TEHOSTETTU, full, "--as-of", str(CUT), "--runs", "2"]
    fitted = runner.invoke(app, [*args, "--fit", "-f", "json"])
    assert json.loads(fitted.stdout)["cohort"] == "fitted-tehostettu_tyonvalitys"
    cohort = tmp_path / "mine.yaml"
    cohort.write_text("id: mine\n", encoding="utf-8")
    written = runner.invoke(app, [*args, "--cohort", str(cohort)])
    assert written.exit_code == 0, written.output
    assert " · cohort mine · " in written.stdout.splitlines()[0]
    plain = runner.invoke(app, [*args, "-f", "json"])
    assert json.loads(plain.stdout)["cohort"] == "default"


def test_the_report_of_a_consortium_names_each_customers_provider(tmp_path: Path) -> None:
    events = _rows(tmp_path, LEFT_OUT_ROWS + "F-r,F,referral,2020-02-03,,,member_b,"
                   "2001-03-10,,\n")
    found = api.forecast_customers(api.Request(SUJUVAT, runs=2, seed=1), [events],
                                   date(2020, 6, 30))
    assert found.result is not None
    page = api.forecast_html(found.result, "en")
    assert ("<th>customer</th><th>segment</th><th>provider</th><th>earned by the as-of "
            "date</th>") in page
    assert "<td>A</td><td>youth</td><td>member_a</td>" in page
    assert "<td>F</td><td>youth</td><td>member_b</td>" in page
    one = api.forecast_customers(api.Request(SUJUVAT, runs=2, seed=1), [events],
                                 date(2020, 6, 30), "member_a")
    assert one.result is not None
    assert "<th>customer</th><th>segment</th><th>earned by" in api.forecast_html(one.result,
                                                                              "en")
    assert f"cohort {one.result.cohort}" in api.forecast_html(one.result, "en")


def test_a_forecast_says_what_the_evaluation_passes_over(tmp_path: Path) -> None:
    # T's second referral is passed over (the first decides the segment): evaluate warns of
    # it (V002), and so does the forecast of T; exit 0
    path = tmp_path / "events.csv"
    path.write_text("event_id,customer_id,type,date\n"
                    "T-r,T,referral,2020-01-07\nT-r2,T,referral,2020-03-02\n"
                    "T-s,T,service_start,2020-01-13\n")
    said = runner.invoke(app, ["evaluate", TEHOSTETTU, str(path), "--as-of", "2020-06-30"])
    done = runner.invoke(app, ["forecast", TEHOSTETTU, str(path), "--as-of", "2020-06-30",
                               "--runs", "2", "-f", "json"])
    assert done.exit_code == 0, done.output
    warning = next(ln for ln in said.stderr.splitlines() if "V002" in ln)
    assert warning in done.stderr
    # (and that nothing is recorded after March: V004)
    assert [p["code"] for p in json.loads(done.stdout)["problems"]] == ["V004", "V002"]


def test_a_fee_per_event_still_to_come_is_told_by_its_price_each(tmp_path: Path) -> None:
    # A needs an answered contact by 2020-07-19 for the fee per contact (25.00 each): its
    # pending line counts none yet (0.00), so the forecast tells the price of each
    events = _rows(tmp_path, LEFT_OUT_ROWS.splitlines(keepends=True)[0]
                   + LEFT_OUT_ROWS.splitlines(keepends=True)[1])
    found = api.forecast_customers(api.Request(SUJUVAT, runs=2, seed=1), [events],
                                   date(2020, 6, 30))
    assert found.result is not None
    pending = {p.component: p for p in found.result.customers[0].pending}
    assert pending["contact"].each == Decimal("25.00") and pending["contact"].amount == 0
    assert pending["contact"].to_dict()["each"] == "25.00"
    assert pending["result"].each is None and pending["result"].told() == "800.00"
    shown = runner.invoke(app, ["forecast", SUJUVAT, events, "--as-of", "2020-06-30",
                                "--runs", "2"])
    assert "contact 25.00 each (2020-07-19); result 800.00 (2020-12-31)" in shown.stdout
    assert "contact 25,00 kappaleelta" in api.forecast_html(found.result, "fi")


def test_lang_without_a_report_is_said_to_change_nothing(tmp_path: Path) -> None:
    args = ["simulate", TEHOSTETTU, "--runs", "2", "-n", "10"]
    alone = runner.invoke(app, [*args, "--lang", "fi"])
    assert alone.exit_code == 0, alone.output
    assert "note: --lang is the language of the --report page" in alone.stderr
    assert runner.invoke(app, args).stdout == alone.stdout  # the table is the same
    page = tmp_path / "r.html"
    with_page = runner.invoke(app, [*args, "--lang", "fi", "--report", str(page)])
    if with_page.exit_code == 0:  # (matplotlib is an extra)
        assert "note: --lang" not in with_page.stderr
        assert 'lang="fi"' in page.read_text(encoding="utf-8")


def test_the_report_lists_what_the_command_said_beside_it(generated: tuple[str, str],
                                                          tmp_path: Path) -> None:
    """A fitted cohort's caveats (G108 here) are in the page too, not on stderr alone."""
    full, _ = generated
    page = tmp_path / "r.html"
    done = runner.invoke(app, ["forecast", TEHOSTETTU, full, "--as-of", str(CUT), "--fit",
                               "--runs", "2", "--report", str(page)])
    if done.exit_code == 2 and "matplotlib" in done.output:
        pytest.skip("the report needs the report extra")
    assert done.exit_code == 0, done.output
    text = page.read_text(encoding="utf-8")
    assert "<h2>Notes on the inputs</h2><ul><li>" in text
    assert f"{full}: G108 info: the events end before many customers&#x27; stories do" in text
    found = api.forecast_customers(api.Request(TEHOSTETTU, runs=2), [full], CUT)
    assert found.result is not None
    assert "Notes on the inputs" not in api.forecast_html(found.result, "en")


def test_a_note_s_command_in_backticks_is_code_in_the_page() -> None:
    """The page showed the backticks of "(`cohort fit` lists them all)" as they were (a
    user trial); the rest of a note stays escaped."""
    from rewardengine.forecast.report import _notes

    (page,) = _notes(["3 estimates keep their defaults (`cohort fit` lists them all) <b>"],
                     {"notes": "Notes"})
    assert page == ("<h2>Notes</h2><ul><li>3 estimates keep their defaults (<code>cohort "
                    "fit</code> lists them all) &lt;b&gt;</li></ul>")
