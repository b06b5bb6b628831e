"""The statistics forms on paper: each item's whole printed phrase with its blank in place, the lead-in lines,
the season's years instead of the form's, the season in the header, the header wording of each form; and a
definition with an unknown source refused when it is loaded, naming the item. Pages go to test-artifacts/."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from tests.paper import raw_text, save_pngs
from tests.reports.test_documents import ORG, cells_of
from tests.tools import needs
from warmth.reports import documents
from warmth.reports.definitions import FORMS_DIR, DefinitionError, _parse, definition, definitions, render_years

B = "\u3000\u3000"
poppler = needs("pdftotext", "pdftoppm", why="reading the PDF back needs poppler-utils")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("form", "code", "printed"), [
    ("warmth-2015", "7.I", f"为{B}户困难职工家庭提供过冬取暖补贴"),
    ("warmth-2015", "8.A", f"为{B}人次权益受损的职工开展维权工作"),
    ("warmth-2015", "8.C", f"协助政府有关部门共帮助{B}人次职工"),
    ("warmth-2015", "8.D", f"协助政府有关部门共帮助{B}人次职工追讨欠薪"),
    ("warmth-2015", "10.C", f"共包专列{B}列，运送"), ("warmth-2015", "10.E", f"共包火车车厢{B}节，运送"),
    ("warmth-2015", "10.G", f"共包汽车{B}辆，运送"), ("warmth-2015", "10.I", f"共包船{B}艘，运送"),
    ("warmth-2015", "10.K", f"共包机{B}架，运送"),
    ("warmth-2014", "8.C", f"共协助政府有关部门帮助{B}名职工追讨欠薪"),
    ("warmth-2014", "8.C-3", f"其中帮助{B}名农民工追讨欠薪"),
    ("warmth-2014", "7.I", f"为{B}户困难职工家庭提供过冬取暖补贴"),
])
def test_an_item_prints_its_whole_phrase_with_the_blank_in_place(form, code, printed):
    defn = definition(form)
    assert defn.item(code).text_for(defn.season) == printed


@pytest.mark.parametrize("form", sorted(definitions()))
def test_every_word_of_the_attachment_is_printed_in_order(form, tmp_path):
    """Every run of words of the attachment's items (its text cut at the blanks and the printed letters) is on
    the PDF, in the attachment's order: nothing between two blanks is lost."""
    defn = definition(form)
    text = squash(raw_text(documents.report_pdf(defn, ORG, defn.season, cells_of(defn)), tmp_path))
    printed = (FORMS_DIR / "printed" / f"{form}.txt").read_text(encoding="utf-8")
    skip = ("填报单位", "填表单位", "填报人", "填表人", "联系电话", defn.title, *(n[:6] for n in defn.notes))
    body = "\n".join(line for line in printed.splitlines() if not any(s in line for s in skip))
    runs = [r for r in re.split(r"[\s_]+|[（(][A-Z][）)]|[（(]\d\d[）)]|^\d+\.|\n\d+\.|其中：|。|；|;|，|,",
                                  body) if len(r) >= 2 and not r.isdigit()]
    pos = 0
    missing = []
    for run in runs:
        run = run.strip("0123456789.").strip("（）()")  # "（是/否）": the 单位 column says 是/否
        if len(run) < 2:
            continue
        found = text.find(run, pos)
        if found < 0:
            found = text.find(run)
            if found < 0:
                missing.append(run)
                continue
        pos = found
    assert missing == []


@pytest.mark.parametrize("form", ["warmth-2015", "warmth-2014"])
@poppler
def test_the_lead_in_heads_items_4_7_and_8(form, tmp_path):
    defn = definition(form)
    lines = raw_text(documents.report_pdf(defn, ORG, 2025, cells_of(defn)), tmp_path).splitlines()
    lead = [i for i, line in enumerate(lines) if line.strip() == "2026年元旦、春节期间送温暖活动中"]
    assert len(lead) == 3
    assert [lines[i + 1].split()[0] for i in lead] == ["4.A", "7.A", "8.A"]


@poppler
def test_the_2015_form_filled_for_season_2025_prints_the_2026_season(tmp_path):
    defn = definition("warmth-2015")
    cells = cells_of(defn)
    text = squash(raw_text(documents.report_pdf(defn, ORG, 2025, cells), tmp_path))
    assert "2026年工会送温暖活动统计表" in text
    assert "2026年元旦、春节期间送温暖活动中筹集款物总额" in text
    assert "2026年元旦、春节期间送温暖活动中，发放款物" in text
    assert "2025年度经过工会帮扶实现脱贫的困难职工家庭" in text
    assert "统计季度：2025年度（2026年元旦、春节“两节”送温暖）" in text
    assert "2015年" not in text and "2014年度" not in text
    xlsx = documents.report_xlsx(defn, ORG, 2025, cells)
    import io

    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).get_sheet_by_name("统计表").to_python()
    flat = " ".join(str(v) for row in rows for v in row)
    assert "2026年元旦、春节期间送温暖活动中筹集款物总额" in flat and "2015年" not in flat
    data = json.loads(documents.report_json(defn, ORG, 2025, cells))
    assert data["title"] == "2026年工会送温暖活动统计表"
    assert next(c for c in data["cells"] if c["code"] == "3.F")["label"].startswith("2025年度")


@poppler
def test_the_2013_centre_form_counts_to_the_end_of_the_season_and_says_tianbiao(tmp_path):
    defn = definition("center-2013")
    text = squash(raw_text(documents.report_pdf(defn, ORG, 2025, cells_of(defn)), tmp_path))
    assert "以上统计数据截止2025年12月31日" in text and "2013年" not in text
    assert "统计年度：2025年度（截至2025年12月31日）" in text
    assert "2025年度帮扶中心资金来源总额" in text
    assert "填表单位：成都市总工会" in text and "填表人：" in text and "填报单位" not in text


def test_year_marks_are_the_seasons():
    assert render_years("{year}年元旦、春节期间", 2025) == "2026年元旦、春节期间"
    assert render_years("{year-1}年度经过工会帮扶实现脱贫", 2025) == "2025年度经过工会帮扶实现脱贫"
    assert render_years("截止{year-1}年12月31日", 2013) == "截止2013年12月31日"
    for defn in definitions().values():  # rendered for its own season, each form is its attachment
        assert defn.title_for(defn.season) == defn.title and defn.title.startswith(str(defn.year))


def _form(**item):
    base = {"code": "1.A", "label": "甲", "unit": "人", "parent": None, "source": "manual"}
    return {"id": "t", "title": "{year}年表", "kind": "warmth", "year": 2026, "items": [{**base, **item}]}


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "message"), [
    ({"source": "archives.housholds"}, "栏目 1.A 的数据来源 archives.housholds 不存在"),
    ({"parent": "9.Z"}, "栏目 1.A 的上级栏目 9.Z 不存在"),
    ({"unit": "吨"}, "栏目 1.A 的单位 吨 无效"),
])
def test_a_definition_with_a_broken_item_is_refused_when_loaded_naming_the_item(change, message):
    with pytest.raises(DefinitionError, match=re.escape(message)):
        _parse(_form(**change))


def test_a_duplicate_code_is_refused_when_loaded():
    data = _form()
    data["items"].append(dict(data["items"][0]))
    with pytest.raises(DefinitionError, match=r"栏目 1\.A 重复"):
        _parse(data)


@pytest.mark.django_db
def test_a_definition_with_known_sources_loads():
    d = _parse(_form(source="archives.households", unit="户"))
    assert d.title_for(2025) == "2026年表" and d.season == 2025


@pytest.mark.slow
@poppler
@pytest.mark.parametrize("form", sorted(definitions()))
def test_every_form_is_rendered_for_a_person_to_look_at(form):
    defn = definition(form)
    cells = cells_of(defn, {it.code: Decimal("1.2347") if it.places else Decimal(12) for it in defn.items})
    save_pngs(documents.report_pdf(defn, ORG, 2025, cells), f"form-{form}-2025")
    save_pngs(documents.report_pdf(defn, ORG, defn.season, cells), f"form-{form}-as-printed")
