"""The 困难职工档案登记表 PDF: filled from the archive, masked unless asked, one landscape A4 page.

The PDF is read back with poppler (pdftotext, pdftoppm); those tests skip when poppler-utils is missing,
unless WARMTH_REQUIRE_BROWSER=1 or CI=true, where a missing tool is a failure. A rendering of the form is kept in
test-artifacts/registration-form.png for a person to look at."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.archives.factories import archive_input, head_fields, new_id
from tests.conftest import actor_of
from tests.tools import tool
from warmth.archives.models import Attachment
from warmth.archives.pdf import registration_form_pdf
from warmth.archives.services import ArchiveInput, archive_file
from warmth.core import pii
from warmth.core.validation import LONG_TEXT

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

NUMBERED_LABELS = [
    "1困难类别", "2政治面貌", "3身份证号", "4健康状况", "5身份", "6劳模类型", "7住房类型", "8建筑面积",
    "9工作时间", "10所属行业", "11婚姻状况", "12户口类型", "13单位性质", "14企业状况", "15是否单亲",
    "16户口所在地行政区划", "17是否进入医保", "18家庭成员关系", "19是否有一定自救能力", "20是否为零就业家庭",
    "21致困主要原因",
]


def _tool(name: str) -> str:
    return tool(name, "PDF read-back needs poppler-utils")


def _pdf_text(data: bytes, tmp_path: Path, *, layout: bool = True) -> str:
    src = tmp_path / "form.pdf"
    src.write_bytes(data)
    args = [_tool("pdftotext"), *(["-layout"] if layout else []), "-enc", "UTF-8", str(src), "-"]
    return subprocess.run(args, check=True, capture_output=True, timeout=60).stdout.decode()


def _render(data: bytes, tmp_path: Path) -> list[Path]:
    """All pages as PNG at 60 dpi."""
    src = tmp_path / "render.pdf"
    src.write_bytes(data)
    subprocess.run([_tool("pdftoppm"), "-png", "-r", "60", str(src), str(tmp_path / "page")], check=True,
                   timeout=60)
    return sorted(tmp_path.glob("page*.png"))


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", data))


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _attach(archive, user, kind, name, *, withdrawn=False):
    return Attachment.objects.create(
        archive=archive, kind=kind, original_name=name, stored_path=f"archives/{archive.pk}/{name}",
        content_type="application/pdf", size=1000, sha256="0" * 64, uploaded_by=user,
        withdrawn_at=timezone.now() if withdrawn else None)


def test_registration_form_content(filed, users, tmp_path):
    _attach(filed, users.county, "申请书", "申请书.pdf")
    _attach(filed, users.county, "诊断证明", "诊断证明-华西医院.pdf")
    _attach(filed, users.county, "诊断证明", "复诊记录.pdf")
    _attach(filed, users.county, "低保证", "作废的低保证.jpg", withdrawn=True)
    data = registration_form_pdf(filed, show_full_id=False)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data, tmp_path)
    flat = _compact(text)

    assert "困难职工档案登记表" in flat
    assert "填报单位（盖章）" in flat and filed.org.name in text
    assert filed.archive_no in text
    assert "职工编号" in flat
    for value in ("低保户", "王建华", "汉族", "群众", "疾病", "下（待）岗", "非劳模", "租房", "20至50", "610041",
                  "1995-07-01", "机电系统", "已婚", "非农业", "成都市武侯区某街道12号", "成都某机械厂", "国有企业",
                  "关闭破产企业", "850.00", "14400.00", "4800.00", filed.birth_date.isoformat()):
        assert value in flat, value
    assert "四川省成都市武侯区" in flat  # 户口所在地 as the full 省市县 name
    assert "本人大病、下岗失业" in flat
    for label in NUMBERED_LABELS:
        if label == "18家庭成员关系":  # printed down a narrow cell, one character a line, as on the form
            assert "18家" in text
            continue
        assert label in flat, label
    for label in ("姓名", "民族", "性别", "出生日期", "残疾类别", "邮政编码", "联系电话", "家庭住址", "工作单位",
                  "本人月平均收入", "家庭年度总收入", "家庭人口", "家庭年人均收入", "关系", "月收入", "单位或学校",
                  "附件类型", "附件文件", "备注"):
        assert label in flat, label

    # members: names, relations, identities, school
    for value in ("李秀兰", "妻子", "失（无）业", "600.00", "王小明", "儿子", "共青团员", "高中", "成都市第七中学"):
        assert value in flat, value

    # attachments: the live ones by kind, the withdrawn one not at all
    assert "申请书.pdf" in flat and "诊断证明-华西医院.pdf；复诊记录.pdf" in flat
    assert "作废的低保证" not in flat

    # masked personal data
    head_id = filed.id_number
    member_ids = [m.id_number for m in filed.members.all()]
    assert pii.mask_id_number(head_id) in text and head_id not in text
    for mid in member_ids:
        assert pii.mask_id_number(mid) in text and mid not in text
    assert "139****5678" in text and "13912345678" not in text
    assert b"13912345678" not in data  # not in the PDF's metadata either
    assert _pages(data) == 1


def test_vertical_18_label_reads_in_order(filed, tmp_path):
    """Read without -layout, the narrow 18家庭成员关系 cell comes out as one block, top to bottom."""
    flat = _compact(_pdf_text(registration_form_pdf(filed, show_full_id=False), tmp_path, layout=False))
    assert "18家庭成员关系" in flat
    assert "所附附件" in flat


def test_full_ids_only_when_asked(filed, tmp_path):
    text = _pdf_text(registration_form_pdf(filed, show_full_id=True), tmp_path)
    assert filed.id_number in text
    for m in filed.members.all():
        assert m.id_number in text
    assert "13912345678" in text


def test_booleans_and_money(users, tree, tmp_path):
    data = archive_input(single_parent=True, in_medical_insurance=False, self_help_capable=False,
                         zero_employment=True, household_annual_income=Decimal("10000"), monthly_income="1234.5",
                         causes=["子女上学"], remarks="2025年12月入户核查，情况属实。")
    a = archive_file(actor=actor_of(users.county), org=tree.k1, data=data)
    flat = _compact(_pdf_text(registration_form_pdf(a, show_full_id=False), tmp_path))
    assert "国有企业关闭破产企业是" in flat  # 15是否单亲, last in its band's value row
    assert "四川省成都市武侯区否" in flat  # 17是否进入医保
    assert "19是否有一定自救能力否20是否为零就业家庭是" in flat
    assert "3333.33" in flat and "1234.50" in flat and "10000.00" in flat
    assert "21致困主要原因子女上学" in flat
    assert "2025年12月入户核查，情况属实。" in flat


def _big_household(users, tree, n_members: int):
    relations = ["妻子", "儿子", "女儿", "父亲", "母亲", "其他", "儿子", "女儿"]
    members = []
    for i in range(n_members):
        born = date(1950 + i * 7, 3, 1 + i)
        members.append({"name": f"成员{i + 1}号", "relation": relations[i % len(relations)], "political_status": "群众",
                        "id_number": new_id(born=born), "health": "残病", "monthly_income": "1500.5",
                        "identity": "内退", "school_or_employer": "四川省成都市某某区某某街道社区服务中心附属单位"})
    fields = head_fields(
        household_size=1 + n_members, address="四川省成都市武侯区某某街道某某社区某某小区12栋3单元4楼5号",
        employer="成都某某机械设备制造有限责任公司第二分公司",
        causes=["本人大病", "供养直系亲属大病", "收入低无法维持基本生活"], remarks="家庭成员多人患病，长期服药；" * 4)
    return archive_file(actor=actor_of(users.county), org=tree.k1, data=ArchiveInput(fields=fields, members=members))


def test_five_members_fit_one_page_and_the_rendering_is_kept(users, tree, tmp_path):
    a = _big_household(users, tree, 5)
    for kind in ("申请书", "家庭经济状况核对授权委托书", "诊断证明", "身份证", "户口簿"):
        _attach(a, users.county, kind, f"{kind}扫描件.pdf")
    data = registration_form_pdf(a, show_full_id=False)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "registration-form-5-members.pdf").write_bytes(data)
    assert _pages(data) == 1
    pngs = _render(data, tmp_path)
    assert len(pngs) == 1
    assert pngs[0].stat().st_size > 20_000  # a filled form, not a blank page
    flat = _compact(_pdf_text(data, tmp_path))
    for i in range(1, 6):
        assert f"成员{i}号" in flat
    assert "本人大病、供养直系亲属大病、收入低无法维持基本生活" in flat
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(pngs[0], ARTIFACTS / "registration-form-5-members.png")


def test_render_filed_archive_to_png(filed, users, tmp_path):
    _attach(filed, users.county, "申请书", "申请书.pdf")
    _attach(filed, users.county, "诊断证明", "诊断证明-华西医院.pdf")
    data = registration_form_pdf(filed, show_full_id=False)
    pngs = _render(data, tmp_path)
    assert len(pngs) == 1 and _pages(data) == 1
    assert pngs[0].stat().st_size > 20_000
    ARTIFACTS.mkdir(exist_ok=True)
    # a sharper copy for a person to look at
    hi = tmp_path / "hi"
    hi.mkdir()
    (hi / "form.pdf").write_bytes(data)
    subprocess.run([_tool("pdftoppm"), "-png", "-r", "110", "-singlefile", str(hi / "form.pdf"),
                    str(ARTIFACTS / "registration-form")], check=True, timeout=60)
    assert (ARTIFACTS / "registration-form.png").stat().st_size > 20_000


def test_more_members_than_rows_are_all_printed(users, tree, tmp_path):
    a = _big_household(users, tree, 8)
    flat = _compact(_pdf_text(registration_form_pdf(a, show_full_id=False), tmp_path))
    for i in range(1, 9):
        assert f"成员{i}号" in flat


def test_form_renders_with_the_fallback_font(filed, settings, tmp_path):
    settings.WARMTH_PDF_FONT = str(tmp_path / "missing.ttc")
    data = registration_form_pdf(filed, show_full_id=False)
    assert b"STSong-Light" in data and _pages(data) == 1


@pytest.mark.parametrize("remarks", [
    "家" * LONG_TEXT,                          # the longest allowed, one paragraph of wide characters
    "第一行说明\n" * (LONG_TEXT // 6),         # the longest allowed as hundreds of short lines
    "W" * LONG_TEXT,                           # one unbreakable run of Latin letters
])
def test_the_longest_allowed_remarks_are_laid_out_in_full(users, tree, remarks, tmp_path):
    """Remarks of the maximum length (core.validation.LONG_TEXT) print without a layout error; when they do
    not fit the form's cell they follow it as 备注（续）."""
    a = archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input(remarks=remarks))
    assert len(a.remarks) <= LONG_TEXT and a.remarks == remarks.strip()
    data = registration_form_pdf(a, show_full_id=False)
    assert data.startswith(b"%PDF")
    flat = _compact(_pdf_text(data, tmp_path, layout=False))
    lines = remarks.split()
    assert "备注（续）" in flat and flat.count(lines[0]) >= len(lines)  # every line printed


def test_remarks_longer_than_allowed_are_refused_with_the_label(users, tree):
    with pytest.raises(ValidationError) as exc:
        archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input(remarks="家" * (LONG_TEXT + 1)))
    assert exc.value.message_dict["remarks"] == [f"备注不能超过 {LONG_TEXT} 个字（现有 {LONG_TEXT + 1} 个字）"]
