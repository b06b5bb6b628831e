"""The 发放凭证 PDF (its text holds the 大写 amount and the approvers) and the 汇总表 xlsx (a sheet per 帮扶项目,
totals row equal to the sum of its rows, ID numbers masked unless asked for in full)."""

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.payments.test_services import create, through
from tests.tools import needs
from warmth.core.money import amount_in_words
from warmth.payments.documents import roster_row, roster_xlsx, voucher_pdf
from warmth.payments.models import Payment

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path: Path) -> str:
    src = tmp_path / "v.pdf"
    src.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(src), "-"], capture_output=True, text=True,
                          check=True).stdout


@needs("pdftotext", "pdfinfo", why="PDF read-back needs poppler-utils")
def test_the_voucher_holds_the_amount_in_words_the_approvers_and_a_masked_id(pay, make_active, tmp_path):
    p = through(pay, create(pay, make_active(), amount="1234.56"))
    data = voucher_pdf([p])
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    compact = text.replace(" ", "")
    assert "慰问金发放凭证" in compact and "2026年元旦春节" in compact
    assert amount_in_words(Decimal("1234.56")) in compact  # 壹仟贰佰叁拾肆元伍角陆分
    assert "1,234.56" in compact
    for box in ("壹", "贰", "叁", "肆", "伍", "陆"):
        assert box in compact
    assert pay.first.user.display_name in compact and pay.second.user.display_name in compact
    assert p.id_number not in compact and p.id_number[-4:] in compact
    assert p.id_number in pdf_text(voucher_pdf([p], full=True), tmp_path).replace(" ", "")
    # a batch: one page per payment
    q = through(pay, create(pay, make_active(), amount="300"))
    two = tmp_path / "two.pdf"
    two.write_bytes(voucher_pdf([p, q]))
    info = subprocess.run(["pdfinfo", str(two)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M), info


def test_the_roster_has_a_sheet_per_aid_type_and_totals_that_add_up(pay, make_active, tmp_path):
    for amount, aid in [("300", "送温暖慰问"), ("450.50", "送温暖慰问"), ("800", "生活救助")]:
        through(pay, create(pay, make_active(), amount=amount, aid_type=aid))
    rows = [roster_row(p) for p in Payment.objects.select_related("pot").order_by("aid_type", "id")]
    out = tmp_path / "roster.xlsx"
    result = roster_xlsx(rows, out, org_name="武侯区总工会", year=2025, full=False, signature=True)
    # a sheet per 帮扶项目 and 资金来源 (all of 武侯's money here is its own union funds)
    assert {k: (v["rows"], v["total"]) for k, v in result["sheets"].items()} == {
        "生活救助-本级工会经费": (1, "800.00"), "送温暖慰问-本级工会经费": (2, "750.50")}
    book = CalamineWorkbook.from_path(str(out))
    sheet = book.get_sheet_by_name("送温暖慰问-本级工会经费").to_python()
    assert "实名制发放凭证汇总表（帮扶项目：送温暖慰问）" in sheet[0][0]
    assert sheet[2][:10] == ["序号", "姓名", "性别", "年龄", "身份证号", "工作单位或家庭住址", "帮扶金额",
                             "家庭联系电话", "资金来源", "备注"] and sheet[2][10] == "经办人签字"
    body = sheet[3:-1]
    assert [r[0] for r in body] == [1, 2] and all("*" in r[4] for r in body)  # 序号 as numbers
    assert sheet[-1][0] == "合计" and Decimal(str(sheet[-1][6])) == sum(Decimal(str(r[6])) for r in body)


def test_the_cli_writes_the_roster_and_the_voucher_and_audits_both(pay, make_active, tmp_path, users):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from warmth.audit.models import AuditEvent

    p = through(pay, create(pay, make_active(), amount="500"))
    out = StringIO()
    call_command("payments", "roster", "--org", "510107", "--year", "2025", "--out", str(tmp_path / "r.xlsx"),
                 "--user", "auditor", stdout=out)
    assert "送温暖慰问 1 人 500.00 元" in out.getvalue() and "完整身份证号" in out.getvalue()
    ev = AuditEvent.objects.get(action="pii.export", object_type="payment_roster")
    assert ev.after["rows"] == 1 and ev.actor_id == users.auditor.pk
    call_command("payments", "voucher", str(p.pk), "--out", str(tmp_path / "v.pdf"), stdout=StringIO())
    assert (tmp_path / "v.pdf").read_bytes().startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="pii.export", object_type="payment").count() == 1
    with pytest.raises(CommandError, match="不存在"):
        call_command("payments", "voucher", "999999", "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError):  # 海南's handler may not export 武侯
        call_command("payments", "roster", "--org", "510107", "--year", "2025", "--out", str(tmp_path / "o.xlsx"),
                     "--user", "outsider")


def test_bank_file_control_totals_and_the_public_notice(client, pay, make_active, users, fin, tmp_path):
    from django.urls import reverse

    from tests.archives.factories import archive_input, new_id
    from warmth.audit.models import AuditEvent
    from warmth.payments.services import payment_mark_paid

    a, b = make_active(), make_active(data=archive_input(id_number=new_id(), member_count=0))
    p1 = through(pay, create(pay, a, amount="300"))
    p2 = through(pay, create(pay, b, amount="450.50"))
    client.force_login(users.county)
    r = client.get(reverse("payment_bank") + "?org=510107&year=2025&format=csv")
    lines = r.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("序号,户名,账号") and len(lines) == 4
    assert lines[-1].startswith("合计,2 笔,,,750.50")
    assert "6222020200112233445" in lines[1]
    r = client.get(reverse("payment_bank") + "?org=510107&year=2025&format=xlsx")
    (tmp_path / "b.xlsx").write_bytes(b"".join(r.streaming_content))
    rows = CalamineWorkbook.from_path(str(tmp_path / "b.xlsx")).get_sheet_by_name("代发明细").to_python()
    assert rows[-1][0] == "合计" and Decimal(str(rows[-1][4])) == Decimal("750.50")
    assert AuditEvent.objects.filter(object_type="payment_bank").count() == 2
    client.force_login(fin.users.c1_leader)  # no pii.full: no bank file
    assert client.get(reverse("payment_bank") + "?org=510107&year=2025").status_code == 403
    payment_mark_paid(actor=pay.handler, payment=p1)
    page = client.get(reverse("payment_notice") + "?org=510107&year=2025").content.decode()
    assert "*" in page and p1.name not in page and p1.id_number not in page and "300.00" in page
    assert "450.50" not in page and p2.status == "approved"  # not yet paid
