"""The report's documents: the A4 PDF (title, head lines, every item in print order, blanks blank, page numbers,
renders), the xlsx (title and values in print order, print setup), CSV and JSON (one row per item, blank is not
zero), formula injection neutralised, the 送温暖活动报告 template (figures with their codes, （未填） for a blank),
and the CLI picking the format from the suffix of --out."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tests.tools import needs
from warmth.orgs.models import Org
from warmth.reports import documents
from warmth.reports.definitions import YES_NO, _parse, definition, definitions
from warmth.reports.engine import CellValue
from warmth.reports.models import Report

needs_poppler = needs("pdftotext", "pdftoppm", why="PDF read-back needs poppler-utils")

ORG = Org(code="510100", name="成都市总工会")
# chosen figures of the 2015 form: zeros, blanks, 万元 with 4 decimals, a 万元 given without decimals
CHOSEN = {"1.A": Decimal(0), "1.B": None, "4.A": Decimal(370), "4.B": Decimal(12), "4.D": Decimal(1520),
          "4.G": Decimal(38), "5.A": Decimal("20987.6526"), "5.B": None, "5.C": Decimal("0.0000"),
          "5.D": Decimal("12.3400"), "6.A": Decimal(5), "8.A": None, "10.A": Decimal(1702)}


def cells_of(defn, chosen=None, *, blank_every=7):
    """A value for every item: the chosen ones as given, every ``blank_every``-th blank, the rest made up."""
    chosen = chosen or {}
    out = {}
    for n, it in enumerate(defn.items):
        if it.code in chosen:
            value = chosen[it.code]
        elif n % blank_every == 3:
            value = None
        elif it.unit == YES_NO:
            value = Decimal(1)
        elif it.places:
            value = (Decimal(n) * Decimal("1.2345")).quantize(Decimal("0.0001"))
        else:
            value = Decimal(n * 11)
        out[it.code] = CellValue(it.code, value, "auto" if it.auto else "manual")
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdftotext(data: bytes, tmp_path: Path, *, layout: bool, page: int | None = None) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    args = ["pdftotext", *(["-layout"] if layout else []), *(["-f", str(page), "-l", str(page)] if page else []),
            str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


@pytest.fixture
def w15():
    return definition("warmth-2015")


@pytest.fixture
def submitted():
    return Report(form="warmth-2015", year=2014, filled_by="张小明", phone="028-86661234",
                  submitted_at=datetime(2015, 1, 20, 10, 0, tzinfo=timezone.get_current_timezone()))


# --- display -----------------------------------------------------------------------------------------------

def test_display_keeps_blank_blank_and_formats_by_unit(w15):
    d = documents.display
    assert d(w15, "5.A", None) == ""
    assert d(w15, "5.A", Decimal(0)) == "0.0000"
    assert d(w15, "6.A", Decimal(5)) == "5.0000"  # 万元 always with 4 decimals
    assert d(w15, "4.A", Decimal(0)) == "0"
    assert d(w15, "4.A", Decimal("370.0000")) == "370"  # counts as integers
    yes_no = definition("center-2014")
    assert d(yes_no, "6.B", Decimal(1)) == "是"
    assert d(yes_no, "6.B", Decimal(0)) == "否"


# --- PDF ---------------------------------------------------------------------------------------------------

@needs_poppler
def test_pdf_holds_title_head_every_label_and_the_values(w15, submitted, tmp_path):
    cells = cells_of(w15, CHOSEN)
    data = documents.report_pdf(w15, ORG, 2014, cells, submitted)
    assert data.startswith(b"%PDF")
    flat = squash(pdftotext(data, tmp_path, layout=False))
    assert w15.title in flat
    for text in ("填报单位：成都市总工会", "2015年1月20日", "填报人：张小明", "联系电话：028-86661234",
                 squash(w15.notes[0]), "栏目", "项目", "数值", "单位"):
        assert text in flat
    for it in w15.items:  # a long label may wrap inside its cell
        assert squash(it.label) in flat, it.code
    layout = pdftotext(data, tmp_path, layout=True)
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\s*(\d+(?:\.[A-Z])?(?:-\d)?)\s+\S.*$", layout, re.M)}
    assert re.search(r"1\.A\s+当地职工总数\s+0\s+人$", rows["1.A"])             # zero prints 0
    assert re.search(r"1\.B\s+其中农民工总数\s+人$", rows["1.B"])               # blank prints nothing
    assert re.search(r"5\.B\s+其中：中央财政\s+万元$", rows["5.B"])  # the 其中： that opens the list
    assert re.search(r"5\.C\s+地方财政\s+0\.0000\s+万元$", rows["5.C"])
    assert re.search(r"5\.D\s+工会经费\s+12\.3400\s+万元$", rows["5.D"])
    assert re.search(r"\s20987\.6526\s+万元$", rows["5.A"])
    assert re.search(r"\s5\.0000\s+万元$", rows["6.A"])
    assert re.search(r"\s370\s+家$", rows["4.A"])
    assert re.search(r"\s+人次$", rows["8.A"]) and not re.search(r"\d\s+人次$", rows["8.A"])
    # print order: the codes come down the page in the form's order
    order = [m.group(1) for m in re.finditer(r"^\s*(\d+(?:\.[A-Z])?(?:-\d)?)\s", layout, re.M)]
    assert [c for c in order if c in w15.by_code] == [it.code for it in w15.items]


@needs_poppler
def test_pdf_pages_repeat_the_header_and_are_numbered(w15, tmp_path):
    data = documents.report_pdf(w15, ORG, 2014, cells_of(w15, CHOSEN))
    n = page_count(data)
    assert n >= 2
    for page in range(1, n + 1):
        text = pdftotext(data, tmp_path, layout=False, page=page)
        assert "栏目" in text and "项目" in text and "数值" in text
        assert f"第{page}页共{n}页" in squash(text)


@needs_poppler
def test_pdf_indents_the_qizhong_items_under_their_parent(w15, tmp_path):
    layout = pdftotext(documents.report_pdf(w15, ORG, 2014, cells_of(w15, CHOSEN)), tmp_path, layout=True)
    column = {code: line.index(label) for code, label in (("4.D", "慰问困难家庭总数"), ("4.E", "其中困难职工"))
              for line in layout.splitlines() if re.match(rf"\s*{re.escape(code)}\s", line)}
    assert column["4.E"] > column["4.D"]


@needs_poppler
@pytest.mark.parametrize("form", sorted(definitions()))
def test_every_form_renders_to_png_pages(form, tmp_path):
    defn = definition(form)
    data = documents.report_pdf(defn, ORG, defn.season, cells_of(defn))  # the season the form was printed for
    path = tmp_path / f"{form}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(tmp_path / form)], check=True)
    pngs = sorted(tmp_path.glob(f"{form}-*.png"))
    assert len(pngs) == page_count(data) >= 1
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 2000 for p in pngs)
    flat = squash(pdftotext(data, tmp_path, layout=False))
    assert defn.title in flat
    assert all(squash(part) in flat for it in defn.items for part in it.text_for(defn.season).split("\u3000\u3000"))
    assert all(squash(note) in flat for note in defn.notes)


needs_office = needs("soffice", "pdftoppm", "pdfinfo", why="printing the xlsx needs LibreOffice and poppler-utils")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.slow
@needs_office
@pytest.mark.parametrize("form", sorted(definitions()))
def test_every_form_xlsx_prints_on_a4_through_libreoffice(form, tmp_path):
    """The xlsx as Excel or WPS would print it: LibreOffice turns it into a PDF with the workbook's own print
    setup, which must be A4 portrait, one page wide, with the title, the head lines, every label and every
    说明 line on paper; the pages go to PNG (test-artifacts/) for a person to look at."""
    defn = definition(form)
    xlsx = tmp_path / f"{form}.xlsx"
    xlsx.write_bytes(documents.report_xlsx(defn, ORG, defn.season, cells_of(defn)))
    profile = (tmp_path / "lo-profile").as_uri()  # a profile of its own: parallel test workers do not share one
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(xlsx)], check=True, capture_output=True, timeout=120)
    data = (tmp_path / f"{form}.pdf").read_bytes()
    info = subprocess.run(["pdfinfo", str(tmp_path / f"{form}.pdf")], check=True, capture_output=True,
                          text=True).stdout
    assert re.search(r"Page size:\s+595(\.\d+)? x 841(\.\d+)? pts \(A4\)", info), info
    flat = squash(pdftotext(data, tmp_path, layout=False))
    assert defn.title in flat and f"{defn.head[0]}：成都市总工会" in flat
    assert all(squash(part) in flat for it in defn.items for part in it.text_for(defn.season).split("\u3000\u3000"))
    assert all(squash(note) in flat for note in defn.notes)
    for n in range(1, page_count(data) + 1):  # one page wide: no page holds only the right-hand columns
        assert "栏目" in squash(pdftotext(data, tmp_path, layout=False, page=n)), n
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{form}-xlsx-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(tmp_path / f"{form}.pdf"), str(ARTIFACTS / f"{form}-xlsx")],
                   check=True)
    pngs = sorted(ARTIFACTS.glob(f"{form}-xlsx-*.png"))
    assert len(pngs) == page_count(data) and all(p.stat().st_size > 2000 for p in pngs)


# --- CSV and JSON --------------------------------------------------------------------------------------------

def read_csv(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode())  # BOM: Excel opens the Chinese text as UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_one_row_per_item_and_keeps_blank_apart_from_zero(w15):
    cells = cells_of(w15, CHOSEN)
    cells["4.A"] = CellValue("4.A", Decimal(370), "override", Decimal(360), reason="补录")
    rows = read_csv(documents.report_csv(w15, ORG, 2014, cells))
    assert list(rows[0]) == ["form", "org_code", "org_name", "year", "code", "label", "unit", "value", "origin"]
    assert [r["code"] for r in rows] == [it.code for it in w15.items]
    assert {(r["form"], r["org_code"], r["org_name"], r["year"]) for r in rows} == {
        ("warmth-2015", "510100", "成都市总工会", "2014")}
    by = {r["code"]: r for r in rows}
    assert by["1.A"]["value"] == "0" and by["1.B"]["value"] == ""
    assert by["5.B"]["value"] == "" and by["5.C"]["value"] == "0.0000" and by["5.D"]["value"] == "12.3400"
    assert by["6.A"]["value"] == "5.0000" and by["5.A"]["value"] == "20987.6526"
    assert by["4.A"] == {**by["4.A"], "label": "走访企业", "unit": "家", "value": "370", "origin": "override"}
    assert by["1.A"]["origin"] == "manual" and by["2.A"]["origin"] == "auto"


def test_json_loads_with_null_for_blank_and_strings_for_values(w15, submitted):
    data = documents.report_json(w15, ORG, 2014, cells_of(w15, CHOSEN), submitted)
    assert "成都市总工会".encode() in data  # ensure_ascii=False
    doc = json.loads(data.decode("utf-8"))
    assert (doc["form"], doc["org"], doc["year"]) == ("warmth-2015", "510100", 2014)
    assert [c["code"] for c in doc["cells"]] == [it.code for it in w15.items]
    by = {c["code"]: c for c in doc["cells"]}
    assert by["1.B"]["value"] is None and by["1.A"]["value"] == "0"
    assert by["5.B"]["value"] is None and by["5.C"]["value"] == "0.0000" and by["5.A"]["value"] == "20987.6526"
    assert by["5.A"]["label"] == w15.item("5.A").label and by["5.A"]["unit"] == "万元"
    assert by["4.A"]["origin"] == "auto"
    yes_no = definition("center-2014")
    doc = json.loads(documents.report_json(yes_no, ORG, 2014, cells_of(yes_no, {"6.B": Decimal(0)})))
    assert next(c for c in doc["cells"] if c["code"] == "6.B")["value"] == "否"


EVIL = _parse({"id": "evil", "title": "=统计表", "kind": "warmth", "year": 2015, "items": [
    {"code": "1.A", "label": '=HYPERLINK("http://example.invalid","点我")', "unit": "人", "source": "manual"},
    {"code": "1.B", "label": "+其中", "unit": "人", "parent": "1.A", "source": "manual"}]})


def test_a_label_starting_with_a_formula_sign_is_neutralised_in_csv_and_xlsx():
    cells = cells_of(EVIL, {"1.A": Decimal(3), "1.B": None})
    org = Org(code="x", name="@成都")
    rows = read_csv(documents.report_csv(EVIL, org, 2014, cells))
    assert rows[0]["label"] == "'" + EVIL.item("1.A").label and rows[1]["label"] == "'+其中"
    assert rows[0]["org_name"] == "'@成都"
    sheet = read_xlsx(documents.report_xlsx(EVIL, org, 2014, cells))
    texts = [v for row in sheet for v in row if isinstance(v, str)]
    assert "'" + EVIL.item("1.A").label in texts and "'+其中" in texts and "'=统计表" in texts
    assert not any(t.startswith(("=", "+", "@")) for t in texts)
    assert "填报单位：@成都" in texts  # not at the start of the cell: harmless, left as typed


# --- xlsx --------------------------------------------------------------------------------------------------

def read_xlsx(data: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name("统计表").to_python()


def test_xlsx_holds_the_title_and_the_values_in_print_order(w15, submitted):
    cells = cells_of(w15, CHOSEN)
    data = documents.report_xlsx(w15, ORG, 2014, cells, submitted)
    rows = read_xlsx(data)
    assert rows[0][0] == w15.title
    flat = [v for row in rows[:6] for v in row]
    assert "填报单位：成都市总工会" in flat and "2015年1月20日" in flat and "填报人：张小明" in flat
    head = next(i for i, row in enumerate(rows) if row[:4] == ["栏目", "项目", "数值", "单位"])
    body = [r for r in rows[head + 1:] if r[0] in w15.by_code]  # the lead-in lines span the table
    assert [r[0] for r in body] == [it.code for it in w15.items]
    assert [r[1] for r in body] == [it.text_for(2014) for it in w15.items]
    assert [r[3] for r in body] == [it.unit for it in w15.items]
    want = ["" if cells[it.code].value is None else float(cells[it.code].value) for it in w15.items]
    assert [r[2] for r in body] == want
    by = {r[0]: r[2] for r in body}
    assert by["1.A"] == 0 and by["1.B"] == "" and by["5.B"] == "" and by["5.D"] == pytest.approx(12.34)


def test_xlsx_prints_on_a4_portrait_one_page_wide_with_the_header_repeated(w15):
    import zipfile

    data = documents.report_xlsx(w15, ORG, 2014, cells_of(w15))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        book = z.read("xl/workbook.xml").decode()
    assert 'paperSize="9"' in sheet and 'orientation="portrait"' in sheet and 'fitToHeight="0"' in sheet
    assert 'fitToPage="1"' in sheet and 'state="frozen"' in sheet and "第 &amp;P 页 共 &amp;N 页" in sheet
    assert "_xlnm.Print_Titles" in book


def test_xlsx_of_a_yes_no_item_says_shi_or_fou():
    d = definition("center-2014")
    rows = read_xlsx(documents.report_xlsx(d, ORG, 2014, cells_of(d, {"6.B": Decimal(1)})))
    assert next(r for r in rows if r[0] == "6.B")[2] == "是"


# --- the narrative -----------------------------------------------------------------------------------------

def test_narrative_fills_the_figures_with_their_codes_and_says_blank_is_blank(w15, submitted):
    text = documents.narrative(w15, ORG, 2014, cells_of(w15, CHOSEN), submitted).decode("utf-8")
    first = text.splitlines()[0]
    assert first == "成都市总工会2015年“两节”送温暖活动报告"  # season 2014 is the 两节 of 2015
    for figure in ("走访企业370家【4.A】", "其中困难企业12家【4.B】", "慰问困难家庭1520户【4.D】",
                   "慰问困难劳模38户【4.G】", "共筹集慰问款物20987.6526万元【5.A】", "地方财政0.0000万元【5.C】",
                   "工会经费12.3400万元【5.D】", "发放慰问款物5.0000万元【6.A】", "帮助农民工平安返乡1702人次【10.A】",
                   "职工总数0人【1.A】"):
        assert figure in text, figure
    for blank in ("其中农民工（未填）【1.B】", "中央财政（未填）【5.B】",
                  "为权益受损的职工开展维权工作（未填）【8.A】"):
        assert blank in text, blank
    assert "0万元【5.B】" not in text and "0人次【8.A】" not in text
    for part in ("典型事例", "存在问题", "下一步打算"):
        section = text.split(part, 1)[1]
        assert section.lstrip("\n　 ").startswith("（请补充：")
    assert "2015年1月20日" in text and "张小明" in text


def test_narrative_of_the_2014_form_and_of_a_centre_form():
    w14 = definition("warmth-2014")
    text = documents.narrative(w14, ORG, 2013, cells_of(w14, {"4.A-2": None, "5": Decimal("1.5")})).decode()
    assert text.startswith("成都市总工会2014年“两节”送温暖活动报告")
    assert "走访职工家庭（未填）【4.A-2】" in text and "共筹集慰问款物1.5000万元【5】" in text
    centre = definition("center-2014")
    chosen = {"1.A": Decimal(3), "2.A": Decimal(25), "2.D": None, "4.A": Decimal(40), "5.A": Decimal("88.1234")}
    text = documents.narrative(centre, ORG, 2014, cells_of(centre, chosen)).decode()
    assert text.startswith("成都市总工会2015年“两节”送温暖活动报告")
    for figure in ("县级以上困难职工帮扶中心3个【1.A】", "帮扶中心工作人员25人【2.A】", "县级（未填）【2.D】",
                   "乡镇（街道）工会帮扶工作站40个【4.A】", "资金来源总额88.1234万元【5.A】"):
        assert figure in text, figure
    assert "（请补充：" in text and "走访企业" not in text


# --- the CLI -----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_cli_export_picks_the_format_from_the_suffix(tree, tmp_path):
    def export(name: str) -> Path:
        out = tmp_path / name
        call_command("reports", "export", "--form", "warmth-2015", "--org", tree.c1.code, "--year", "2025",
                     "--out", str(out), stdout=io.StringIO())
        return out

    defn = definition("warmth-2015")
    assert export("表.pdf").read_bytes().startswith(b"%PDF")
    assert read_xlsx(export("表.xlsx").read_bytes())[0][0] == defn.title_for(2025) == "2026年工会送温暖活动统计表"
    rows = read_csv(export("表.CSV").read_bytes())
    assert len(rows) == len(defn.items) and rows[0]["org_code"] == tree.c1.code
    by = {r["code"]: r for r in rows}
    assert by["4.A"]["value"] == "0" and by["4.A"]["origin"] == "auto"  # no visits: zero, computed
    assert by["1.A"]["value"] == "" and by["1.A"]["origin"] == "manual"  # nobody typed it: blank
    doc = json.loads(export("表.json").read_text(encoding="utf-8"))
    assert doc["org"] == tree.c1.code and doc["year"] == 2025 and len(doc["cells"]) == len(defn.items)
    text = export("报告.txt").read_text(encoding="utf-8")
    assert text.startswith("成都市总工会2026年“两节”送温暖活动报告") and "走访企业0家【4.A】" in text
    assert "职工总数（未填）【1.A】" in text
    for bad in ("表.docx", "表"):
        with pytest.raises(CommandError, match=r"不支持导出为.*扩展名须为"):
            export(bad)
        assert not (tmp_path / bad).exists()
