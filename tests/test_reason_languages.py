"""Every reason an invoice of a bundled example can show comes out wholly in Finnish and in
Swedish: each clause by a frame of the catalogue, numbers and dates in Finnish formats. A kind
that writes a clause the catalogue has no frame for fails here, naming the clause."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from rewardengine.events.read import read_events
from rewardengine.invoicing.invoice import Invoice
from rewardengine.invoicing.labels import Labels
from rewardengine.invoicing.periods import resolve_period
from rewardengine.invoicing.render import invoice_html
from rewardengine.invoicing.run import issue_invoice
from rewardengine.invoicing.xlsx import invoice_xlsx
from rewardengine.pipeline import load_contract

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "as_of.txt").exists())


def _invoices(name: str, ledger: Path, months: tuple[str, ...] = ()) -> list[Invoice]:
    """The example's invoices: one per provider over its whole span, or month by month."""
    loaded, problems = load_contract(str(ROOT / "contracts" / f"{name}.yaml"))
    assert loaded is not None, problems
    folder = ROOT / "examples" / name
    evs = read_events(sorted(str(p) for p in folder.iterdir()
                             if p.suffix in (".csv", ".jsonl"))).events
    as_of = date.fromisoformat((folder / "as_of.txt").read_text(encoding="utf-8").strip())
    md = loaded.contract.metadata
    periods = [resolve_period(m, None, None) for m in months] or [resolve_period(
        None, md.valid_from.isoformat(), min(as_of, md.valid_until).isoformat())]
    out = []
    for period in periods:
        for provider in md.providers:
            inv = issue_invoice(loaded, evs, period, ledger_path=str(ledger), inputs_hash="h",
                                provider=provider.id).invoice
            if inv is not None and not inv.is_empty():
                out.append(inv)
    return out


def _reasons(invoices: list[Invoice]) -> list[str]:
    return [x.reason for inv in invoices for s in inv.sections
            for x in (*s.lines, *s.corrections, *s.pending, *s.uncorrected)]


def _untranslated(reasons: list[str], lang: str) -> dict[str, str]:
    """English clause left -> the reason it is in (one example of each)."""
    t = Labels(lang)
    return {clause: reason for reason in reasons for clause in t.untranslated(reason)}


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_reason_of_every_bundled_example_translates(name: str, tmp_path: Path) -> None:
    reasons = _reasons(_invoices(name, tmp_path / "l.sqlite"))
    assert reasons, name
    for lang in ("fi", "sv"):
        missing = _untranslated(reasons, lang)
        assert not missing, (f"{name}: no {lang} frame in rewardengine/invoicing/locale/"
                             f"{lang}.po for the clauses {sorted(missing)}")


def test_a_correction_and_its_reason_translate_month_by_month(tmp_path: Path) -> None:
    """Tehostettu's September invoice corrects July's self-reported outcome."""
    invoices = _invoices("tehostettu_tyonvalitys", tmp_path / "l.sqlite",
                         ("2020-07", "2020-09"))
    sept = invoices[-1]
    assert [c.corrects for c in sept.corrections] == ["TTV-BRK-0001/5"]
    reason = sept.corrections[0].reason
    assert _untranslated(_reasons(invoices), "fi") == {}
    assert _untranslated(_reasons(invoices), "sv") == {}
    assert Labels("fi").reason(reason) == (
        "190,00 laskutettu laskulla TTV-BRK-0001 rivillä 5; nyt 750,00: työsuhde T03-E1 "
        "saavutti 90 päivää 4.7.2020, työaika 0,80 htv, tulorekisteristä vahvistettu (T03-E1 "
        "asiakkaan ilmoittama 15.9.2020 asti, sen jälkeen tulorekisteristä vahvistettu); "
        "hinnoiteltu avoimena työnä")
    assert Labels("sv").reason(reason).startswith(
        "190,00 fakturerat på TTV-BRK-0001 rad 5; nu 750,00: anställningen T03-E1 "
        "nådde 90 dagar 4.7.2020 med 0,80 HTE, verifierad i inkomstregistret")


# What the invoice itself writes around a kind's reason: a credit, a later owner, a voided
# event, a segment changed, a cap, a line that accrues later or lies beyond the reach
WRAPPED = [
    "200.00 invoiced on T-acme-0003 line 1 is no longer payable: it now belongs to provider b",
    "200.00 invoiced on T-acme-0003 line 1 is no longer payable: event E1 was voided "
    "(recorded 2020-04-05); event E2 was voided (recorded 2020-04-06)",
    "200.00 invoiced on T-acme-0003 line 1 is no longer payable: the evaluation as of "
    "2020-04-30 has no such earning any more",
    "200.00 invoiced on T-acme-0003 line 1 is no longer payable: now pending: needs a service "
    "start by 2020-12-31",
    "100.00 invoiced on T-a-0001 line 2; now 150.00: service start s3 on 2020-01-25, inside "
    "the contract window; segment now B (was A): at referral 2020-01-20: unemployment_months=15",
    "100.00 invoiced on T-a-0001 line 2; now 50.00: service start s3 on 2020-01-25, inside the "
    "contract window (cut by 50.00 to 50.00: cap of component start of 300.00 reached)",
    "accrues on 2020-05-02, after this period ends on 2020-04-30: service month 2 "
    "(2020-04-02..2020-05-01) served to its end",
    "not corrected: T-a-0001 is for a period that started before 2020-03-01, beyond the "
    "contract's correction reach of 6 months; 100.00 invoiced on T-a-0001 line 2 is no longer "
    "payable: it now belongs to provider b",
    "not billed: accrued on 2020-01-05, before 2020-03-01, beyond the contract's correction "
    "reach of 1 month; service start s3 on 2020-01-05, inside the contract window",
]


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_what_the_invoice_writes_around_a_reason_translates(lang: str) -> None:
    assert _untranslated(WRAPPED, lang) == {}
    assert Labels("fi").reason(WRAPPED[4]).endswith(
        "; ryhmä nyt B (oli A): ohjauksessa 20.1.2020: unemployment_months=15")


def test_a_new_frame_is_named_until_the_catalogue_has_it() -> None:
    odd = "employment E1 reached 90 days on 2020-05-02 at 1.00 FTE, register-verified; " \
          "paid twice on Tuesdays"
    assert Labels("fi").untranslated(odd) == ["paid twice on Tuesdays"]
    assert Labels("fi").reason(odd).startswith("työsuhde E1 saavutti 90 päivää 2.5.2020")
    assert Labels("en").untranslated(odd) == ["paid twice on Tuesdays"]
    assert Labels(None).untranslated(odd) == []


def test_numbers_dates_months_and_lists_in_finnish_formats() -> None:
    fi = Labels("fi")
    assert fi.reason("capacity for 2020-01: committed, payable after 2020-01-31") == \
        "kapasiteetti 1/2020: sitoumus, maksettavissa 31.1.2020 jälkeen"
    assert fi.reason("needs 1 more day of qualifying work (10 h/week or more, open, subsidised "
                     "at weight 0.5 or apprenticeship) by 2020-06-20, when the follow-up ends"
                     ) == ("tarvitaan vielä 1 päivä hyväksyttävää työtä (vähintään 10 h/vko, "
                           "avoin työ, palkkatuettu työ painolla 0,5 tai oppisopimus) 20.6.2020 "
                           "mennessä, jolloin seuranta-aika päättyy")
    assert fi.reason("the buyer's share of benefit paid fell from 2128.14 € to 0.00 €, 100 %, "
                     "at least the full threshold of 100 % (baseline 2018-12..2019-05, "
                     "comparison 2019-12..2020-05)") == (
        "tilaajan osuus maksetusta etuudesta väheni (2\xa0128,14 € → 0,00 €) 100 %, vähintään "
        "täyden tuloksen kynnyksen 100 % (lähtötaso 12/2018\N{EN DASH}5/2019, vertailujakso "
        "12/2019\N{EN DASH}5/2020)")
    # an expense's description is the data's own words, shown as written
    assert fi.reason("expense B01-x1 on 2021-02-15 (training, hygiene passport course): 450.00 "
                     "repaid, 1050.00 of the budget of 1500.00 left") == (
        "kulu B01-x1 15.2.2021 (training, hygiene passport course): 450,00 korvattu, "
        "1\xa0500,00 budjetista jäljellä 1\xa0050,00")


def test_html_and_xlsx_show_the_reasons_in_the_language(tmp_path: Path) -> None:
    inv = _invoices("australia_outcomes", tmp_path / "l.sqlite")[0]
    english = inv.sections[0].lines[0].reason
    fi = Labels("fi").reason(english)
    assert "työsuhde" in fi and "etuuden määrä kuukaudessa" in fi
    html = invoice_html(inv, "fi")
    assert fi.replace("'", "&#x27;") in html and english not in html
    book = openpyxl.load_workbook(io.BytesIO(invoice_xlsx(inv, "sv")))
    cells = {c for row in book["Rader"].iter_rows(values_only=True) for c in row}
    assert Labels("sv").reason(english) in cells and english not in cells


# --- the bill check in three languages -----------------------------------------------------

BILL = ('asiakas,maksuerä,kerta,summa\nT03,result,spell:T03-E1:open,"750,00"\n'
        'T01,result,spell:T01-E1:open,"750,00"\nT09,result,spell:T09-E1:open,"750,00"\n')
VERIFY_HTML = {
    "fi": ["Laskun tarkastus", "Laskussa on virheitä", "Laskutettu <b>2\xa0250,00</b>",
           "Summa eroaa", "1.9.2020\u201330.9.2020", "laskutettu koko 750,00, mutta 190,00 on jo "
           "laskutettu, joten maksettava on 560,00: 190,00 laskutettu laskulla TTV-BRK-0004",
           "laskutettu jo laskulla TTV-BRK-0002 rivillä 1 (tähän mennessä 750,00)",
           "ei ansiota result &#x27;spell:T09-E1:open&#x27; asiakkaalle T09 30.9.2020 mennessä"],
    "sv": ["Granskning av faktura", "Fakturan har fel", "Beloppet avviker",
           "hela 750,00 fakturerat men 190,00 har redan fakturerats, så 560,00 ska betalas",
           "redan fakturerat på TTV-BRK-0002 rad 1 (750,00 hittills)"],
    "en": ["Bill verification", "The bill is not right", "Amount differs",
           "billed the full 750,00 but 190,00 was already invoiced, so 560,00 is due"],
}


@pytest.fixture(scope="module")
def buyer_ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The buyer's ledger of the Tehostettu months April to August, and the bill (verify
    only reads the ledger, so the three languages share it)."""
    folder = tmp_path_factory.mktemp("verify")
    ledger = folder / "buyer.sqlite"
    _invoices("tehostettu_tyonvalitys", ledger,
              ("2020-04", "2020-05", "2020-06", "2020-07", "2020-08"))
    bill = folder / "lasku.csv"
    bill.write_text(BILL, encoding="utf-8")
    return ledger, bill


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_verify_html_in_each_language(buyer_ledger: tuple[Path, Path], lang: str) -> None:
    """The README's bill from another system, checked against the buyer's ledger of the
    Tehostettu months: the report in one language, Finnish formats; JSON as it was."""
    from typer.testing import CliRunner

    from rewardengine.cli import app

    ledger, bill = buyer_ledger
    args = ["verify", str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml"),
            str(ROOT / "examples" / "tehostettu_tyonvalitys" / "events.csv"), str(bill),
            "--period", "2020-09", "--ledger", str(ledger),
            "--map", "customer=asiakas,component=maksuerä,occurrence=kerta,amount=summa"]
    runner = CliRunner()
    html = runner.invoke(app, [*args, "--format", "html", "--lang", lang])
    assert html.exit_code == 1 and f'<html lang="{lang}">' in html.stdout
    for text in VERIFY_HTML[lang]:
        assert text in html.stdout, text
    if lang != "en":
        assert "already invoiced" not in html.stdout and "Bill verification" not in html.stdout
    if lang == "fi":  # JSON is the same with or without a language
        plain = runner.invoke(app, [*args, "--format", "json"])
        assert runner.invoke(app, [*args, "--format", "json", "--lang", lang]).stdout == \
            plain.stdout
        assert '"reason": "already invoiced on TTV-BRK-0002 line 1 (750.00 so far)' in \
            plain.stdout


@pytest.mark.parametrize(("lang", "contacts", "cut"), [
    ("fi", "tähän mennessä ei yhteydenottoja",
     "leikattu 400,00 summaan 1\xa0100,00: asiakaskohtainen katto 2\xa0000,00 täynnä"),
    ("sv", "hittills inga kontakter",
     "sänkt med 400,00 till 1\xa0100,00: tak per kund på 2\xa0000,00 nådd")])
def test_no_contacts_and_a_cap_note_come_out_in_the_language(lang: str, contacts: str,
                                                             cut: str, tmp_path: Path) -> None:
    """A running month without contacts said "no" in English inside Finnish or Swedish
    ("tähän mennessä no yhteydenottoa"), and the HTML invoice showed a line's cap note in
    English; both are clauses of the catalogue."""
    t = Labels(lang)
    reason = ("service month 4 (2024-09-28..2024-10-27) runs to 2024-10-27: needs an answered "
              "contact by 2024-10-27, so far no contacts")
    assert t.untranslated(reason) == []
    assert t.reason(reason).endswith(contacts)
    note = ("cut by 400.00 to 1100.00: per-customer cap of 2000.00 reached; "
            "cut by 150.00 to 950.00: contract ceiling of 6000.00 reached")
    assert t.untranslated(note) == []
    assert t.reason(note).startswith(cut + "; ")
    # and the HTML invoice puts its lines' cap notes in the language too
    invoices = _invoices("sib_rate_card", tmp_path / "ledger.sqlite")
    capped = [x.cap for inv in invoices for s in inv.sections for x in s.lines if x.cap]
    assert capped
    page = "".join(invoice_html(inv, lang) for inv in invoices)
    assert "cut by" not in page and html.escape(t.reason(capped[0])) in page


@pytest.mark.parametrize(("lang", "start"), [("fi", "tunnit h1 30.8.2024: 1,5 h à 57,35/h"),
                                             ("sv", "timmar h1 30.8.2024: 1,5 h à 57,35/h")])
def test_hours_without_an_activity_translate(lang: str, start: str) -> None:
    # an hours row that names no activity (the column is optional) stayed in English
    plain = "hours h1 on 2024-08-30: 1.5 h at 57.35/h, inside the service window " \
            "2024-07-15..2024-09-24"
    assert Labels(lang).untranslated(plain) == []
    assert Labels(lang).reason(plain).startswith(start)
    member = "hours h1 on 2024-08-30, delivered by beta: 1.5 h at 57.35/h, inside the " \
             "service window 2024-07-15..2024-09-24"
    assert Labels(lang).untranslated(member) == []


@pytest.mark.parametrize(("lang", "waiting", "ended"), [
    ("fi", "1,5 h à 57,35/h: odotetaan palvelun aloitusta: ",
     "palvelun aloitusta ei kirjattu 31.12.2024 mennessä, jolloin sopimus päättyi ("),
    ("sv", "1,5 h à 57,35/h: väntar på att tjänsten startar: ",
     "ingen start av tjänsten registrerades senast 31.12.2024, då avtalet upphörde (")])
def test_hours_before_a_service_start_translate(lang: str, waiting: str, ended: str) -> None:
    # hours of a customer whose service has not started: pending, then not earned when the
    # contract has ended; both stayed half in English (a review found them)
    labels = Labels(lang)
    pending = "hours h1 on 2024-08-30: 1.5 h at 57.35/h: waiting for the service start: " \
              "no service start recorded yet"
    lost = "hours h1 on 2024-08-30: 1.5 h at 57.35/h: no service start was recorded by " \
           "2024-12-31, when the contract ended (no service start recorded yet)"
    for reason in (pending, lost):
        assert labels.untranslated(reason) == []
    assert waiting in labels.reason(pending) and ended in labels.reason(lost)
    outcome = "no service start was recorded by 2024-12-31, when its outcomes_until date " \
              "passed (no service start recorded yet)"
    assert labels.untranslated(outcome) == []


# --- what only verify shows: not earned, not payable yet, pending -----------------------------

# English words no Finnish or Swedish reason holds (data is written with '_' or '=' and kept)
_WORDS = "|".join((
    "the", "of", "by", "not", "after", "before", "reached", "work", "days?", "weeks?", "only",
    "with", "inside", "window", "earned", "paid", "needs", "since", "closed", "contract", "no",
    "for", "months?", "ended", "score", "survey", "from", "to"))
ENGLISH = re.compile(rf"\b({_WORDS})\b")
DETAILS = re.compile(r"^expense \S+ on \S+ (\([^()]*\))")
# a cohort made for each of these contracts, at a date inside the contract and one long after
COHORTS = ["tehostettu_tyonvalitys", "omavalmentaja", "palvelumanageri", "kopakka",
           "sujuvat_palvelupolut", "asiakasbudjetti", "avo"]


def _status_reasons(name: str, events: list[str], as_of: date
                    ) -> dict[str, list[tuple[str, str]]]:
    """status -> (kind, reason) of the evaluation's lines (each distinct once)."""
    from rewardengine.api import run_evaluation
    ev, inputs = run_evaluation(str(ROOT / "contracts" / f"{name}.yaml"), events, as_of)
    assert ev is not None, inputs.problems[:3]
    out: dict[str, list[tuple[str, str]]] = {}
    for line in ev.all_lines():
        out.setdefault(line.status, []).append((line.kind, line.reason))
    return {s: sorted(set(r)) for s, r in out.items()}


def _cohort(name: str, folder: Path) -> list[str]:
    from rewardengine.api import generate_events
    out = io.StringIO()
    rows, problems = generate_events(str(ROOT / "contracts" / f"{name}.yaml"), out,
                                     customers=40, seed=9)
    assert rows and not problems, problems
    path = folder / f"{name}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return [str(path)]


def _verify_lines(tmp_path: Path) -> dict[str, list[tuple[str, str]]]:
    """status -> (kind, reason), over every bundled example at its date and a cohort of
    several contracts mid-contract and after it, the reason as verify words it ('not
    earned: ...') and the kind of the line that wrote it."""
    found: dict[str, set[tuple[str, str]]] = {}
    runs = []
    for name in EXAMPLES:
        folder = ROOT / "examples" / name
        runs.append((name, sorted(str(p) for p in folder.iterdir()
                                  if p.suffix in (".csv", ".jsonl")),
                     date.fromisoformat((folder / "as_of.txt").read_text().strip())))
    for name in COHORTS:
        loaded, _ = load_contract(str(ROOT / "contracts" / f"{name}.yaml"))
        assert loaded is not None
        md = loaded.contract.metadata
        events = _cohort(name, tmp_path)
        runs += [(name, events, md.valid_from + (md.valid_until - md.valid_from) / 2),
                 (name, events, date(2030, 1, 1))]
    for name, events, as_of in runs:
        for status, reasons in _status_reasons(name, events, as_of).items():
            found.setdefault(status, set()).update(reasons)
    said = {"not_earned": "not earned: {}", "pending": "not payable yet: {}"}
    return {s: sorted((kind, said.get(s, "{}").format(r)) for kind, r in _shapes(rs))
            for s, rs in found.items()}


def _verify_reasons(tmp_path: Path) -> dict[str, list[str]]:
    """status -> reasons, as ``_verify_lines`` finds them, without their kinds."""
    return {s: sorted({r for _, r in rs}) for s, rs in _verify_lines(tmp_path).items()}


def _shapes(reasons: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """One (kind, reason) of each kind and shape (the same words, other figures, dates and
    ids): a frame that puts one in the language puts them all, and the test stays fast."""
    first: dict[tuple[str, str], tuple[str, str]] = {}
    for kind, r in sorted(reasons):
        first.setdefault((kind, re.sub(r"[0-9]+", "0", r)), (kind, r))
    return list(first.values())


def _english_left(reason: str, translated: str) -> str | None:
    """An English word left in ``translated`` (an expense's description is the data's own
    words, kept as written, so it is not looked at)."""
    details = DETAILS.match(reason)
    if details is not None:
        translated = translated.replace(details.group(1), "")
    m = ENGLISH.search(translated)
    return None if m is None else m.group(0)


def test_every_reason_verify_shows_translates(tmp_path: Path) -> None:
    """A user's trial of verify --lang fi found reasons half in English ('ei ansaittu: no
    qualifying work (0.80 FTE or more, open or subsidised) by 2020-12-31, ...'): every
    line's reason, of every status, comes out wholly in Finnish and in Swedish."""
    by_status = _verify_reasons(tmp_path)
    # not vacuous: many reasons of each status, and each of them English as written
    assert {s: len(r) > 10 for s, r in by_status.items()} == \
        {"not_earned": True, "pending": True, "payable": True}
    every = [r for rs in by_status.values() for r in rs]
    assert all(ENGLISH.search(r) for r in every), [r for r in every if not ENGLISH.search(r)]
    for lang in ("fi", "sv"):
        missing = _untranslated(every, lang)
        assert not missing, (f"no {lang} frame in rewardengine/invoicing/locale/{lang}.po "
                             f"for the clauses {sorted(missing)[:20]}")
        labels = Labels(lang)
        english = {r: w for r in every
                   if (w := _english_left(r, labels.reason(r))) is not None}
        assert not english, (lang, sorted(english.items())[:10])


@pytest.mark.parametrize(("lang", "no_work", "late"), [
    ("fi", "ei ansaittu: ei hyväksyttävää työtä (vähintään 0,80 htv, avoin työ tai "
           "palkkatuettu työ) 31.12.2020 mennessä, sopimuksen tulosten takaraja (outcomes_until)"
           "; ei lasketa: työsuhde A10-e (29,99 h/vko (0,7997 htv)) jää alle 0,80 htv",
     "ei ansaittu: raja 90 päivää täyttyi 1.1.2021, päivän myöhässä: sopimuksen tulosten "
     "takaraja (outcomes_until) oli 31.12.2020"),
    ("sv", "inte intjänat: inget godtagbart arbete (minst 0,80 HTE, öppet arbete eller "
           "lönesubventionerat arbete) senast 31.12.2020, avtalets sista dag för resultat "
           "(outcomes_until); räknas inte: anställningen A10-e med 29,99 h/vecka (0,7997 HTE) "
           "är under 0,80 HTE",
     "inte intjänat: tröskeln 90 dagar nåddes 1.1.2021, en dag för sent (avtalets sista dag "
     "för resultat (outcomes_until), 31.12.2020)")])
def test_the_trials_not_earned_reasons(lang: str, no_work: str, late: str) -> None:
    labels = Labels(lang)
    assert labels.reason(
        "not earned: no qualifying work (0.80 FTE or more, open or subsidised) by 2020-12-31, "
        "the contract's outcomes_until date; not counted: job A10-e at 29.99 h/week "
        "(0.7997 FTE) is below 0.80 FTE") == no_work
    assert labels.reason(
        "not earned: threshold of 90 days reached on 2021-01-01, one day after the contract's "
        "outcomes_until date, 2020-12-31") == late


@pytest.mark.parametrize(("lang", "note"), [
    ("fi", "ei kirjanpitoa: mitään ei ole laskutettu aiemmin"),
    ("sv", "ingen reskontra: inget har fakturerats tidigare")])
def test_verify_without_a_ledger_says_so_in_the_language(tmp_path: Path, lang: str,
                                                         note: str) -> None:
    """The report said 'Verrattu no ledger: nothing was invoiced before' in Finnish."""
    from typer.testing import CliRunner

    from rewardengine.cli import app
    bill = tmp_path / "lasku.csv"
    bill.write_text(BILL, encoding="utf-8")
    done = CliRunner().invoke(app, [
        "verify", str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml"),
        str(ROOT / "examples" / "tehostettu_tyonvalitys" / "events.csv"), str(bill),
        "--period", "2020-09", "--no-ledger", "--format", "html", "--lang", lang,
        "--map", "customer=asiakas,component=maksuerä,occurrence=kerta,amount=summa"])
    assert done.exit_code == 1 and note in done.stdout, done.output
    assert "no ledger" not in done.stdout


@pytest.mark.parametrize(("lang", "one", "two"), [
    ("fi", "3 yhteydenottoa, 1 vastattu", "3 yhteydenottoa, 2 vastattua"),
    ("sv", "3 kontakter, 1 besvarad", "3 kontakter, 2 besvarade")])
def test_answered_contacts_agree_with_their_number(lang: str, one: str, two: str) -> None:
    # "1 besvarade" (Swedish plural after one) and "2 vastattu" (Finnish nominative after a
    # numeral above one) read wrong to a buyer
    reason = ("service month 4 (2024-09-28..2024-10-27) runs to 2024-10-27: needs 2 answered "
              "contacts by 2024-10-27, so far 3 contacts, {} answered")
    t = Labels(lang)
    for n, end in ((1, one), (2, two)):
        assert t.untranslated(reason.format(n)) == []
        assert t.reason(reason.format(n)).endswith(end)


_BANDS = [None, {"min_fte": "0.5", "max_fte": "0.8"}, {"min_fte": "0.8"},
          {"min_hours_per_week": "18", "max_hours_per_week": "30"}, {"min_hours_per_week": "30"}]
_GRADES = [(k, b) for k in (None, "open", "subsidised", "entrepreneur", "apprenticeship")
           for b in _BANDS if k is not None or b is not None]  # ungraded: no such words


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize(("kind", "band"), _GRADES)
def test_an_outcome_priced_by_kind_and_band_says_so_in_the_language(
        lang: str, kind: str | None, band: dict[str, str] | None) -> None:
    # "priced as open work, band part (...)" and "priced as entrepreneur work" stayed in English
    from rewardengine.kinds.employment_outcome import ExtentBand, _Count, _grade_words
    made = ExtentBand.model_validate({"id": "part", "amount": "100.00", **band}) if band \
        else None
    words = _grade_words(_Count(None, None, kind, made))  # type: ignore[arg-type]
    assert Labels(lang).untranslated(words) == []
    assert "priced" not in Labels(lang).reason(words)


@pytest.mark.parametrize(("lang", "none", "full"), [
    ("fi", "sopimus ei maksa vajaasta kuukaudesta (suhteutus: ei)",
     "maksetaan koko 310,00 (suhteutus: koko kuukausi)"),
    ("sv", "avtalet betalar inte för en del av en månad (proportionering: ingen)",
     "betalar hela 310,00 (proportionering: hel månad)"),
])
def test_each_proration_is_said_in_the_language(lang: str, none: str, full: str) -> None:
    """``daily`` was translated and ``none`` and ``full`` left as the contract writes them."""
    t = Labels(lang)
    assert t.reason("the contract pays no part-month (proration: none)") == none
    assert t.reason("pays the full 310.00 (proration: full)") == full
