"""The statistics-report pages: the grid of the 2015 form, bad values and overrides without a reason refused with
nothing written, 报送 → 退回 → 报送 → 通过 (and 通过 refused while a child is missing), the records behind an auto
cell, the board with its missing child, the reminder, the xlsx; the 海南 outsider reaches nothing; the auditor
reads but cannot write."""

from io import BytesIO

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests.campaigns.conftest import quick_active
from tests.conftest import actor_of, make_user
from warmth.audit.models import AuditEvent
from warmth.orgs.models import Role
from warmth.reports import services
from warmth.reports.definitions import definition
from warmth.reports.models import Cell, Report, ReportStatus, ReportStep

pytestmark = pytest.mark.django_db
S = ReportStatus
FORM = "warmth-2015"
YEAR = 2025


def text(r) -> str:
    return r.content.decode()


def page_url(org=None) -> str:
    return reverse("report_detail", args=[FORM, YEAR]) + (f"?org={org.code}" if org else "")


def board_url(org) -> str:
    return reverse("report_board", args=[FORM, YEAR]) + f"?org={org.code}"


def sheet(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.fixture
def people(users, tree):
    return {"k2": make_user("k2_handler", tree.k2, Role.HANDLER),
            "k1_rev": make_user("k1_rev", tree.k1, Role.REVIEWER)}


def fill_and_submit(client, user, org, **cells):
    client.force_login(user)
    data = {"org": org.code, "action": "submit", "filled_by": "张三", "phone": "028-85551234"}
    data.update({f"value-{k.replace('_', '.')}": v for k, v in cells.items()})
    return client.post(page_url(org), data)


def test_the_grid_shows_every_item_of_the_2015_form_as_printed(client, users, tree):
    client.force_login(users.county)
    r = client.get(page_url())
    page = text(r)
    assert r.status_code == 200
    defn = definition(FORM)
    for it in defn.items:
        assert it.text_for(YEAR) in page, it.code  # the season's years, the whole printed phrase
        assert f'id="row-{it.code.replace(".", "_")}"' in page
    assert "填报单位：" in page and "武侯区总工会" in page and "联系电话" in page and defn.notes[0] in page
    assert 'name="value-1.A"' in page and 'name="reason-3.A"' in page  # manual input; override with a reason
    assert not Report.objects.exists()  # looking does not start a report


@pytest.mark.parametrize(("code", "raw", "reason", "message"), [
    ("1.A", "十二", "", "不是数字"), ("1.A", "-3", "", "不能为负数"), ("1.A", "2.5", "", "须为整数"),
    ("5.A", "1.00001", "含未入账的捐款", "4 位小数")])
def test_a_bad_value_is_refused_with_its_message_and_nothing_is_written(client, users, tree, code, raw, reason,
                                                                        message):
    client.force_login(users.county)
    r = client.post(page_url(), {"action": "save", f"value-{code}": raw, f"reason-{code}": reason,
                                 "value-1.B": "3"})
    assert r.status_code == 422 and message in text(r)
    assert f'value="{raw}"' in text(r)  # what was typed is shown back
    assert not Report.objects.exists() and not Cell.objects.exists()


def test_an_override_of_an_auto_cell_needs_a_reason(client, users, tree):
    client.force_login(users.county)
    r = client.post(page_url(), {"action": "save", "value-3.A": "9"})
    assert r.status_code == 422 and "修改须填写理由" in text(r)
    assert not Cell.objects.exists()
    r = client.post(page_url(), {"action": "save", "value-3.A": "9", "reason-3.A": "含未录入系统的 9 户"}, follow=True)
    page = text(r)
    assert "统计表已保存" in page and "已修改" in page and "含未录入系统的 9 户" in page
    cell = Cell.objects.get()
    assert (cell.code, cell.value, cell.reason) == ("3.A", 9, "含未录入系统的 9 户")


def test_errors_block_submission_and_nothing_is_half_written(client, users, tree):
    r = fill_and_submit(client, users.county, tree.k1, **{"1_A": "5", "1_B": "6"})
    assert r.status_code == 422 and "1.B 不能超过 1.A" in text(r)
    assert not Report.objects.exists() and not Cell.objects.exists()  # the save before the submit is undone


def test_submit_return_resubmit_and_approve(client, users, tree, people):
    services.report_exempt(actor=actor_of(people["k1_rev"]), form=FORM, org=tree.g1, year=YEAR, reason="已合并")
    r = fill_and_submit(client, people["k2"], tree.k2, **{"1_A": "50", "1_B": "60"})
    assert r.status_code == 422  # 1.B above 1.A
    r = fill_and_submit(client, people["k2"], tree.k2, **{"1_A": "50", "1_B": "5"})
    assert r.status_code == 302
    k2 = Report.objects.get(org=tree.k2)
    assert (k2.status, k2.filled_by, k2.phone, k2.figures["1.A"]) == (S.SUBMITTED, "张三", "028-85551234", "50")
    page = text(client.get(page_url(tree.k2)))
    assert 'id="report-submit"' not in page and "不能修改" in page  # locked while sent up
    fill_and_submit(client, users.county, tree.k1, **{"1_A": "100", "1_B": "30"})

    client.force_login(users.colleague)  # 成都's reviewer: the level above
    page = text(client.get(page_url(tree.k2)))
    assert 'id="approve-submit"' in page and 'id="return-submit"' in page
    r = client.post(page_url(tree.k2), {"org": tree.k2.code, "action": "return", "reason": ""})
    assert r.status_code == 422 and "退回须填写理由" in text(r)
    client.post(page_url(tree.k2), {"org": tree.k2.code, "action": "return", "reason": "1.B 与花名册不符"})
    assert Report.objects.get(org=tree.k2).status == S.RETURNED

    r = fill_and_submit(client, people["k2"], tree.k2, **{"1_B": "8"})
    assert r.status_code == 302 and Report.objects.get(org=tree.k2).figures["1.B"] == "8"

    client.force_login(users.colleague)
    for org in (tree.k1, tree.k2):
        r = client.post(page_url(org), {"org": org.code, "action": "approve", "note": "同意"}, follow=True)
        assert "已通过" in text(r)
    assert set(Report.objects.filter(org__in=[tree.k1, tree.k2]).values_list("status", flat=True)) == {S.APPROVED}
    steps = list(ReportStep.objects.filter(report__org=tree.k2).values_list("action", flat=True))
    assert steps == ["save", "submit", "return", "save", "submit", "approve"]
    page = text(client.get(page_url(tree.c1)))
    assert 'id="value-1_A">150<' in page  # 成都's manual cell: its approved districts' figures (100 + 50)
    assert "退回" in text(client.get(page_url(tree.k2)))  # the trail shows the return


def test_approval_is_refused_while_a_child_is_missing(client, users, tree, people):
    client.force_login(people["k1_rev"])  # 武侯 asks its 基层工会 for the form (by default they need not report)
    r = client.post(board_url(tree.k1), {"org": tree.k1.code, "action": "duty", "levels": ["grassroots"]})
    assert r.status_code == 302
    fill_and_submit(client, users.county, tree.k1, **{"1_A": "10"})
    client.force_login(users.colleague)
    r = client.post(page_url(tree.k1), {"org": tree.k1.code, "action": "approve"})
    assert r.status_code == 422 and "供电公司" in text(r)  # 武侯's grassroots union has not reported
    assert Report.objects.get(org=tree.k1).status == S.SUBMITTED
    assert not ReportStep.objects.filter(action="approve").exists()


def test_only_the_org_itself_fills_and_only_the_level_above_approves(client, users, tree):
    client.force_login(users.owner)  # 成都's handler on 武侯's report
    r = client.post(page_url(tree.k1), {"org": tree.k1.code, "action": "save", "value-1.A": "1"})
    assert r.status_code == 403 and not Report.objects.exists()
    fill_and_submit(client, users.county, tree.k1, **{"1_A": "10"})
    k1_rev = make_user("k1_rev2", tree.k1, Role.REVIEWER)
    client.force_login(k1_rev)  # 武侯's own reviewer is not the level above
    r = client.post(page_url(tree.k1), {"org": tree.k1.code, "action": "approve"})
    assert r.status_code == 403 and Report.objects.get().status == S.SUBMITTED


def test_the_provenance_of_an_auto_cell_lists_its_records_and_nothing_of_another_subtree(client, users, tree):
    wuhou = quick_active(actor_of(users.county), tree.k1, name="王建华")
    hainan = quick_active(actor_of(users.outsider), tree.k3, name="李四海")
    client.force_login(users.owner)
    r = client.get(reverse("report_cell", args=[FORM, YEAR, "3.A"]) + f"?org={tree.c1.code}")
    page = text(r)
    assert r.status_code == 200 and wuhou.archive_no in page and "王*华" in page
    assert "王建华" not in page  # names are masked
    assert hainan.archive_no not in page and "秀英区" not in page
    assert 'id="cell-value">1<' in page
    assert client.get(reverse("report_cell", args=[FORM, YEAR, "3.A"]) + f"?org={tree.k3.code}").status_code == 404
    assert client.get(reverse("report_cell", args=[FORM, YEAR, "99.Z"])).status_code == 404
    # a manual cell shows the org's own entry and its children's; a sum cell its parts
    assert "本单位填报" in text(client.get(reverse("report_cell", args=[FORM, YEAR, "1.A"])))
    assert "9.B" in text(client.get(reverse("report_cell", args=[FORM, YEAR, "9.A"])))


def test_the_board_lists_the_missing_child_and_the_reminder_is_recorded(client, users, tree, people):
    fill_and_submit(client, users.county, tree.k1, **{"1_A": "10"})
    client.force_login(users.owner)
    page = text(client.get(board_url(tree.c1)))
    assert 'id="n-expected">2<' in page and 'id="n-submitted">1<' in page and 'id="n-missing" class="error">1<' in page
    assert "未报单位：" in page and "锦江区总工会" in page
    r = client.post(board_url(tree.c1), {"org": tree.c1.code, "action": "remind"}, follow=True)
    assert "已记录提醒：锦江区总工会" in text(r) and "电话" in text(r)
    event = AuditEvent.objects.get(action="report.remind")
    assert event.after["missing"] == [{"code": tree.k2.code, "name": tree.k2.name}] and event.org_id == tree.c1.pk
    # the level above exempts the missing child with a reason
    client.force_login(users.colleague)
    r = client.post(board_url(tree.c1), {"org": tree.c1.code, "action": "exempt", "child": tree.k2.code, "reason": ""})
    assert r.status_code == 422 and "免报须填写理由" in text(r)
    client.post(board_url(tree.c1), {"org": tree.c1.code, "action": "exempt", "child": tree.k2.code,
                                     "reason": "已撤销"})
    assert Report.objects.get(org=tree.k2).status == S.EXEMPT
    page = text(client.get(board_url(tree.c1)))
    assert 'id="n-exempt">1<' in page and 'id="n-missing" class="">0<' in page and "remind-submit" not in page


def test_the_xlsx_download_holds_the_title_and_the_values_and_is_audited(client, users, tree):
    quick_active(actor_of(users.county), tree.k1)
    client.force_login(users.county)
    client.post(page_url(), {"action": "save", "value-1.A": "7", "value-1.B": "2"})
    r = client.get(reverse("report_download", args=[FORM, YEAR, "xlsx"]))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    rows = sheet(r.content)
    assert rows[0][0] == definition(FORM).title_for(YEAR) and "武侯区总工会" in rows[2][0]
    values = {row[0]: row[2] for row in rows if row and row[0]}
    assert values["1.A"] == 7 and values["1.B"] == 2 and values["3.A"] == 1
    assert AuditEvent.objects.filter(action="report.export", org=tree.k1).count() == 1
    r = client.get(reverse("report_download", args=[FORM, YEAR, "doc"]))
    assert r.status_code == 404 and "没有“doc”格式的下载" in text(r)


def test_a_format_the_documents_module_does_not_have_is_404_and_not_linked(client, users, monkeypatch):
    from warmth.reports import documents

    monkeypatch.delattr(documents, "report_pdf", raising=False)
    client.force_login(users.county)
    r = client.get(reverse("report_download", args=[FORM, YEAR, "pdf"]))
    assert r.status_code == 404 and "PDF格式的下载尚未提供" in text(r)
    page = text(client.get(page_url()))
    assert 'id="download-xlsx"' in page and 'id="download-pdf"' not in page
    assert not AuditEvent.objects.filter(action="report.export").exists()


def test_the_index_lists_the_forms_and_the_own_reports(client, users, tree):
    fill_and_submit(client, users.county, tree.k1, **{"1_A": "10"})
    page = text(client.get(reverse("report_index") + "?year=2025"))
    for d in ("warmth-2015", "warmth-2014", "center-2014", "center-2013"):
        assert d in page
    assert "已报送" in page and "下级报送情况" in page  # 武侯 has a grassroots child


def test_the_outsider_reaches_nothing_and_writes_nothing(client, users, tree):
    fill_and_submit(client, users.county, tree.k1, **{"1_A": "10"})
    before = (Report.objects.count(), Cell.objects.count(), ReportStep.objects.count())
    client.force_login(users.outsider)
    for url in (page_url(tree.k1), board_url(tree.c1), reverse("report_cell", args=[FORM, YEAR, "3.A"]) + "?org=510107",
                reverse("report_download", args=[FORM, YEAR, "xlsx"]) + "?org=510107"):
        assert client.get(url).status_code == 404, url
    for data in ({"action": "save", "value-1.A": "99"}, {"action": "approve"}, {"action": "return", "reason": "x"}):
        assert client.post(page_url(tree.k1), {"org": tree.k1.code, **data}).status_code == 404
    exempt = {"action": "exempt", "child": tree.k2.code, "reason": "x"}
    assert client.post(board_url(tree.c1), exempt).status_code == 404
    assert "武侯" not in text(client.get(reverse("report_index")))
    assert (Report.objects.count(), Cell.objects.count(), ReportStep.objects.count()) == before
    assert Report.objects.get().figures["1.A"] == "10"


def test_the_auditor_reads_but_cannot_write(client, users, tree):
    fill_and_submit(client, users.county, tree.k1, **{"1_A": "10"})
    client.force_login(users.auditor)
    page = text(client.get(page_url(tree.k1)))
    assert "武侯区总工会" in page and 'id="report-form"' not in page and 'id="approve-submit"' not in page
    assert client.get(board_url(tree.c1)).status_code == 200
    for data in ({"action": "save", "value-1.A": "99"}, {"action": "approve"}, {"action": "return", "reason": "x"}):
        assert client.post(page_url(tree.k1), {"org": tree.k1.code, **data}).status_code == 403
    assert client.post(board_url(tree.c1), {"action": "remind"}).status_code == 403
    exempt = {"action": "exempt", "child": tree.k2.code, "reason": "x"}
    assert client.post(board_url(tree.c1), exempt).status_code == 403
    assert Report.objects.get().status == S.SUBMITTED and not AuditEvent.objects.filter(action="report.remind").exists()
