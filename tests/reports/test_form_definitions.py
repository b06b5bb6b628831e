"""The statistics-form definitions (warmth/reports/forms/*.json) against the printed forms they transcribe
(warmth/reports/forms/printed/*.txt, copied verbatim from seeds 000 and 003). No database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from warmth.campaigns.choices import ACTIVITY_KINDS
from warmth.funds.choices import FundSource
from warmth.reports.definitions import render_years

FORMS_DIR = Path(__file__).resolve().parents[2] / "warmth" / "reports" / "forms"
PRINTED_DIR = FORMS_DIR / "printed"
FORM_IDS = {"warmth-2014", "warmth-2015", "center-2013", "center-2014"}

UNITS = {"人", "户", "家", "个", "对", "人次", "万元", "列", "节", "辆", "艘", "架", "张", "件", "是/否"}
FORM_KEYS = {"id", "title", "kind", "seed", "year", "season", "notes", "items", "sums", "code_scheme", "extra_units",
             "lead_ins", "head"}
REQUIRED_FORM_KEYS = FORM_KEYS - {"code_scheme", "extra_units", "lead_ins", "head"}
ITEM_KEYS = {"code", "label", "unit", "parent", "source", "printed", "text"}
REQUIRED_ITEM_KEYS = ITEM_KEYS - {"printed", "text"}

STANDARD_CODE = re.compile(r"^\d+\.[A-Z]$")            # 1.A, 10.C: the printed number and letter
SCHEME_CODE = re.compile(r"^(\d+)(?:\.([A-Z]))?(?:-(\d+))?$")   # plus 5, 9-2, 1.A-2 where a code_scheme says so

# The named queries over the records, each with the unit of what it counts.
NAMED_SOURCES = {
    "archives.households": "户",
    "archives.migrant_households": "户",
    "archives.below_dibao": "户",
    "archives.near_dibao": "户",
    "archives.accident": "户",
    "archives.lifted": "户",
    "archives.workers": "人",
    "archives.migrant_workers": "人",
    "visits.enterprises": "家",
    "visits.enterprises_in_difficulty": "家",
    "visits.frontline": "人",
    "visits.households": "户",
    "visits.worker_households": "户",
    "visits.migrant_households": "户",
    "visits.model_households": "户",
    "funds.raised_total": "万元",
    "funds.raised_central": "万元",
    "funds.raised_government": "万元",
    "funds.raised_local": "万元",
    "funds.raised_union": "万元",
    "funds.raised_donation": "万元",
    "funds.raised_other": "万元",
    "payments.paid_total": "万元",
    "payments.paid_models": "万元",
    "payments.paid_migrants": "万元",
}
# The 帮扶中心 registry's sources (warmth/centers/sources.py), each with the unit of what it counts; the levels are
# provincial/city/county (省级/地市级/县级). ``in_budget:provincial`` answers a 是/否 item (1 is 是).
CENTER_SOURCES = {
    "centers.count": "个", "centers.count:provincial": "个", "centers.count:city": "个", "centers.count:county": "个",
    "centers.staff": "人", "centers.staff:provincial": "人", "centers.staff:city": "人", "centers.staff:county": "人",
    "centers.staff_fulltime": "人", "centers.staff_parttime": "人", "centers.volunteers": "人",
    "centers.stations:township": "个", "centers.stations:park": "个", "centers.stations:community": "个",
    "centers.stations:enterprise": "个", "centers.stations:enterprise_above_scale": "个",
    "centers.stations:enterprise_non_public": "个",
    "centers.partners:hospital": "个", "centers.partners:pharmacy": "个", "centers.partners:supermarket": "个",
    "centers.partners:school": "个", "centers.partners:counselling": "个", "centers.partners:training": "个",
    "centers.partners:employment": "个",
    "centers.funding_total": "万元", "centers.funding:central": "万元", "centers.funding:local": "万元",
    "centers.funding:union": "万元", "centers.funding:donation": "万元", "centers.funding:other": "万元",
    "centers.special_fund:provincial": "万元", "centers.special_fund:city": "万元",
    "centers.special_fund:county": "万元", "centers.with_special_fund:city": "个",
    "centers.with_special_fund:county": "个", "centers.in_budget": "个", "centers.in_budget:provincial": "是/否",
    "centers.matched_in_budget:city": "个", "centers.matched_in_budget:county": "个",
}
RAISED_BY_SOURCE = re.compile(r"^funds\.raised:([a-z_]+)$")
ACTIVITY_SOURCE = re.compile(r"^activity:([a-z_]+):(count|people|part|amount|part_amount)$")
KINDS = {k.code: k for k in ACTIVITY_KINDS}
LETTER_MARK = r"(?:[（(][A-Z][）)])?"
# Where the print's unit is not beside the label: 000 附件2 item 12 ends "(C)涉及金额   万" (the line is cut after 万;
# the 2013 edition of the same item prints 万元).
UNIT_NOT_BESIDE_LABEL = {("center-2014", "12.C")}


def normalise(text: str) -> str:
    """Drop whitespace (full-width spaces and line breaks included) and the underscores of blanks."""
    return re.sub(r"[\s_]+", "", text)


def _as_printed(form: dict) -> dict:
    """The definition with its year marks filled for the season it was printed for (the attachment's text)."""
    season = form["season"]
    out = {**form, "title": render_years(form["title"], season),
           "notes": [render_years(n, season) for n in form["notes"]]}
    out["items"] = [{**i, **{k: render_years(i[k], season) for k in ("label", "printed", "text") if k in i}}
                    for i in form["items"]]
    return out


def load_forms() -> dict[str, dict]:
    return {p.stem: _as_printed(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(FORMS_DIR.glob("*.json"))}


FORMS = load_forms()


def printed_text(form_id: str) -> str:
    return (PRINTED_DIR / f"{form_id}.txt").read_text(encoding="utf-8")


def code_key(code: str) -> tuple[int, str, int]:
    m = SCHEME_CODE.match(code)
    assert m, code
    return int(m.group(1)), m.group(2) or "", int(m.group(3) or 1)


@pytest.fixture(params=sorted(FORM_IDS))
def form(request) -> dict:
    if request.param not in FORMS:
        pytest.fail(f"no definition {request.param}.json in {FORMS_DIR}")
    return FORMS[request.param]


def test_four_forms_with_their_printed_text():
    assert set(FORMS) == FORM_IDS
    assert {f["id"] for f in FORMS.values()} == FORM_IDS
    for stem, f in FORMS.items():
        assert f["id"] == stem
        assert (PRINTED_DIR / f"{stem}.txt").is_file(), stem
    assert {p.stem for p in PRINTED_DIR.glob("*.txt")} == FORM_IDS
    assert len({f["seed"] for f in FORMS.values()}) == 4


def test_header(form):
    assert REQUIRED_FORM_KEYS <= set(form) <= FORM_KEYS, set(form) ^ FORM_KEYS
    kind, year = form["id"].split("-")
    assert form["kind"] == kind and kind in {"warmth", "center"}
    assert isinstance(form["year"], int) and form["year"] == int(year)
    assert form["title"].startswith(f"{form['year']}年")
    assert re.fullmatch(r"\d{3} 附件\d", form["seed"]), form["seed"]
    text = printed_text(form["id"])
    assert text.splitlines()[0].strip() == form["title"], "the printed text starts with the title line"
    assert form["items"], "a form has items"


def test_notes_as_printed(form):
    text = normalise(printed_text(form["id"]))
    assert form["notes"], "every form prints a 说明 or 注"
    pos = -1
    for note in form["notes"]:
        assert note == note.strip() and note
        found = text.find(normalise(note), pos + 1)
        assert found >= 0, f"note not printed (or out of order): {note}"
        pos = found
    assert form["notes"][0].startswith(("说明", "注"))


def test_item_keys(form):
    for item in form["items"]:
        assert REQUIRED_ITEM_KEYS <= set(item) <= ITEM_KEYS, item
        assert isinstance(item["label"], str) and item["label"], item
        assert item["label"] == normalise(item["label"]), f"{item['code']}: no blanks or spaces in a label"
        if "printed" in item:
            assert item["printed"] == item["printed"].strip() and item["printed"], item


def test_codes_unique_and_in_print_order(form):
    codes = [i["code"] for i in form["items"]]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)
    pattern = SCHEME_CODE if "code_scheme" in form else STANDARD_CODE
    for code in codes:
        assert pattern.match(code), f"{form['id']}: code {code} does not follow the form's code scheme"
    keys = [code_key(c) for c in codes]
    for a, b, ca, cb in zip(keys, keys[1:], codes, codes[1:], strict=False):
        assert a < b, f"{form['id']}: {cb} comes after {ca}"


def test_labels_printed(form):
    text = normalise(printed_text(form["id"]))
    for item in form["items"]:
        label = normalise(item["label"])
        if "printed" in item:
            phrase = normalise(item["printed"])
            assert phrase in text, f"{item['code']}: printed phrase not in the print: {item['printed']}"
            assert label in phrase, f"{item['code']}: label {item['label']} not in its printed phrase"
        else:
            assert label in text, f"{item['code']}: label not in the print: {item['label']}"


def test_labels_in_print_order(form):
    """Each item's label (or printed phrase) is found after the previous one's; items sharing a printed phrase are
    consecutive and their labels are in order inside it."""
    text = normalise(printed_text(form["id"]))
    pos, previous, inner = -1, None, -1
    for item in form["items"]:
        needle = normalise(item.get("printed") or item["label"])
        if needle != previous:
            found = text.find(needle, pos + 1)
            assert found >= 0, f"{form['id']} {item['code']}: {needle} is not printed after the previous item"
            pos, previous, inner = found, needle, -1
        if "printed" in item:
            inner = needle.find(normalise(item["label"]), inner + 1)
            assert inner >= 0, f"{form['id']} {item['code']}: label out of order in its printed phrase"


def test_units(form):
    extra = form.get("extra_units", [])
    assert len(extra) == len(set(extra)) and not set(extra) & UNITS, extra
    allowed = UNITS | set(extra)
    used = {i["unit"] for i in form["items"]}
    assert used <= allowed, used - allowed
    assert set(extra) <= used, "every extra unit is used"
    text = printed_text(form["id"])
    for unit in extra:
        assert unit in text, unit
    normalised = normalise(text)
    for item in form["items"]:
        if (form["id"], item["code"]) in UNIT_NOT_BESIDE_LABEL:
            continue
        where = normalise(item.get("printed", "")) or normalised
        label, unit = re.escape(normalise(item["label"])), re.escape(item["unit"])
        beside = re.search(label + LETTER_MARK + r"[（(]?" + unit, where) or re.search(unit + label, where)
        assert beside, f"{form['id']} {item['code']}: the unit {item['unit']} is not printed beside {item['label']}"
    for item in form["items"]:
        yes_no = "是否" in item["label"]
        assert (item["unit"] == "是/否") == yes_no, f"{item['code']}: 是否 questions, and only they, are 是/否"


def test_parents(form):
    seen: set[str] = set()
    for item in form["items"]:
        parent = item["parent"]
        if parent is not None:
            assert parent in seen, f"{item['code']}: parent {parent} missing or not before it"
        seen.add(item["code"])


def test_sums(form):
    by_code = {i["code"]: i for i in form["items"]}
    order = list(by_code)
    totals = [s["total"] for s in form["sums"]]
    assert len(totals) == len(set(totals))
    for s in form["sums"]:
        assert set(s) == {"total", "parts"}, s
        total, parts = s["total"], s["parts"]
        assert total in by_code, total
        assert len(parts) >= 2 and len(parts) == len(set(parts)), s
        for part in parts:
            assert part in by_code, f"sum {total}: part {part} missing"
            assert by_code[part]["parent"] == total, f"sum {total}: part {part} has parent {by_code[part]['parent']}"
            assert by_code[part]["unit"] == by_code[total]["unit"], f"sum {total}: part {part} in another unit"
        assert [order.index(p) for p in parts] == sorted(order.index(p) for p in parts), f"sum {total} order"


def check_source(item: dict, by_code: dict[str, dict]) -> None:
    code, source, unit = item["code"], item["source"], item["unit"]
    if source == "manual":
        return
    if source == "sum":  # a declared total computed from its parts
        assert code in SUM_TOTALS, f"{code}: source 'sum' only for a declared total"
        return
    if source in NAMED_SOURCES:
        assert unit == NAMED_SOURCES[source], f"{code}: {source} counts {NAMED_SOURCES[source]}, not {unit}"
        return
    if source in CENTER_SOURCES:
        assert unit == CENTER_SOURCES[source], f"{code}: {source} counts {CENTER_SOURCES[source]}, not {unit}"
        return
    m = RAISED_BY_SOURCE.match(source)
    if m:
        assert m.group(1) in set(FundSource.values), f"{code}: no FundSource {m.group(1)}"
        assert unit == "万元", code
        return
    m = ACTIVITY_SOURCE.match(source)
    assert m, f"{code}: source {source!r} is neither 'manual' nor an allowed name"
    kind_code, field = m.groups()
    assert kind_code in KINDS, f"{code}: no activity kind {kind_code}"
    kind = KINDS[kind_code]
    supported = {"count": True, "people": kind.people, "part": bool(kind.part_label),
                 "amount": bool(kind.amount_label), "part_amount": kind.part_amount}
    assert supported[field], f"{code}: activity kind {kind_code} has no {field}"
    if field in {"amount", "part_amount"}:
        assert unit == "万元", f"{code}: money is printed in 万元"
    else:
        assert unit != "万元", f"{code}: {field} is not money"
    if field in {"part", "part_amount"}:
        whole = "count" if field == "part" else "amount"
        parent = by_code.get(item["parent"] or "")
        assert parent is not None and parent["source"] == f"activity:{kind_code}:{whole}", \
            f"{code}: a {field} is the 其中 of the {whole} of the same kind"


SUM_TOTALS: set[str] = set()


def test_sources(form):
    by_code = {i["code"]: i for i in form["items"]}
    SUM_TOTALS.clear()
    SUM_TOTALS.update(s["total"] for s in form.get("sums", []))
    named = [i["source"] for i in form["items"] if i["source"] not in ("manual", "sum")]
    assert len(named) == len(set(named)), sorted(s for s in named if named.count(s) > 1)
    for item in form["items"]:
        check_source(item, by_code)


def test_activity_kinds_parse():
    """The imported kinds are the ones the choices file declares (guards against a stale or partial import)."""
    path = Path(__file__).resolve().parents[2] / "warmth" / "campaigns" / "choices.py"
    declared = set(re.findall(r'ActivityKind\("([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert declared == set(KINDS)
