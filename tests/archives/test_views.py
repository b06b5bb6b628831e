"""HTML pages of 困难职工档案: the county handler files (武侯区), the 成都 reviewer accepts and approves, the
outsider from 海南 finds nothing, the anonymous visitor is sent to the login page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.archives.factories import archive_input, head_fields, new_id
from tests.conftest import actor_of, make_user
from warmth.archives import care, lifecycle
from warmth.archives.models import (
    Archive,
    ArchiveReview,
    ArchiveStep,
    AssistancePlan,
    Attachment,
    DibaoStandard,
    DuplicateFlag,
    FamilyMember,
    Objection,
    Transfer,
)
from warmth.archives.services import archive_file
from warmth.audit.models import AuditEvent
from warmth.core import pii
from warmth.orgs.models import Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PAST = date(2025, 12, 1)  # a Monday: the 5-working-day 公示 from here is long over


def text(response) -> str:
    return response.content.decode()


def listed(page: str) -> list[str]:
    """The archive numbers in a list page's table, in order."""
    return re.findall(r'<td class="nowrap"><a href="/archives/\d+/">([^<]+)</a>', page)


def solo(i: int):
    """A one-person household with a birth date of its own, so many of them never share an ID number."""
    born = date(1970, 1, 1) + timedelta(days=i)
    return archive_input(member_count=0, household_size=1, id_number=new_id(born=born))


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def follow_post(client, name, *args, data=None):
    return client.post(reverse(name, args=args), data or {}, follow=True)


def form_data(org_code="510107", member_rows=None, **overrides) -> dict:
    """What the browser posts for the 登记表: every head field, the causes and the member formset."""
    h = head_fields()
    data = {
        "org_code": org_code, "name": h["name"], "id_number": h["id_number"], "ethnicity": "汉族",
        "political_status": "群众", "marital_status": "已婚", "health": "疾病", "disability_type": "无",
        "identity": "下（待）岗", "model_worker_type": "非劳模", "hukou_type": "非农业",
        "hukou_region_code": "510107", "phone": "13912345678", "postcode": "610041",
        "address": "成都市武侯区某街道12号", "work_start_date": "1995-07-01", "employer": "成都某机械厂",
        "industry": "机电系统", "employer_type": "国有企业", "enterprise_status": "关闭破产企业",
        "housing_type": "租房", "housing_area": "20至50", "monthly_income": "850.00",
        "household_annual_income": "14400", "household_size": "3", "rigid_expenses": "", "hardship_costs": "",
        "in_medical_insurance": "on", "self_help_capable": "on", "dibao_monthly": "", "dibao_from": "",
        "dibao_to": "", "category": "低保户", "cause_1": "本人大病", "cause_2": "下岗失业", "cause_3": "",
        "remarks": "",
    }
    rows = member_rows if member_rows is not None else [
        {"name": "李秀兰", "relation": "妻子", "id_number": new_id(sex="女"), "political_status": "群众",
         "health": "良好", "identity": "失（无）业", "monthly_income": "600", "school_or_employer": ""},
        {"name": "王小明", "relation": "儿子", "id_number": new_id(born=date(2008, 9, 1), sex="男"),
         "political_status": "共青团员", "health": "良好", "identity": "高中", "monthly_income": "0",
         "school_or_employer": "成都市第七中学"},
    ]
    data.update({"members-TOTAL_FORMS": str(len(rows)), "members-INITIAL_FORMS": "0",
                 "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "8"})
    for i, row in enumerate(rows):
        data.update({f"members-{i}-{k}": v for k, v in row.items()})
    data.update(overrides)
    return data


@pytest.fixture
def world(users, tree, make_active, settings, tmp_path):
    """An archive of every kind a URL can name, all in 武侯区: an active one with an attachment and a
    pending transfer, one in 公示 with an objection and a possible-duplicate flag."""
    settings.WARMTH_FILES_DIR = tmp_path
    handler = actor_of(users.county)
    active = make_active()
    att = care.attachment_add(actor=handler, archive=active, kind="申请书",
                              upload=SimpleUploadedFile("申请书.png", PNG, content_type="image/png"))
    transfer = lifecycle.transfer_request(actor=handler, archive=active, to_org=tree.k2, reason="搬家到锦江区")
    pub = archive_file(actor=handler, org=tree.k1, data=archive_input())
    lifecycle.archive_submit(actor=handler, archive=pub)
    lifecycle.archive_accept(actor=actor_of(users.colleague), archive=pub)
    lifecycle.archive_verify(actor=handler, archive=pub, visited_on=PAST, visitors="张三", findings="属实",
                             publicity_start=PAST, today=PAST)
    objection = lifecycle.objection_record(actor=handler, archive=pub, received_on=PAST, content="收入不实")
    flag = DuplicateFlag.objects.get(archive=pub)
    return SimpleNamespace(active=active, att=att, transfer=transfer, pub=pub, objection=objection, flag=flag)


def every_route(w):
    """(method, url) of every archive page, for the access checks."""
    a, p = w.active.pk, w.pub.pk
    gets = [reverse("archive_list"), reverse("archive_create"), reverse("archive_suggest"),
            reverse("archive_region"), reverse("archive_care", args=["due"]),
            reverse("archive_detail", args=[a]), reverse("archive_edit", args=[a]),
            reverse("archive_pdf", args=[a]), reverse("attachment_download", args=[w.att.pk])]
    posts = [reverse(f"archive_{s}", args=[a]) for s in lifecycle.TRANSITIONS] + [
        reverse("archive_promote", args=[a]), reverse("archive_plan", args=[a]),
        reverse("archive_attachments", args=[a]), reverse("archive_reviews", args=[a]),
        reverse("archive_objections", args=[p]),
        reverse("archive_objection_resolve", args=[p, w.objection.pk]),
        reverse("archive_duplicate_resolve", args=[p, w.flag.pk]), reverse("archive_transfer", args=[a]),
        reverse("attachment_withdraw", args=[w.att.pk]), reverse("transfer_decide", args=[w.transfer.pk]),
        reverse("archive_create"), reverse("archive_edit", args=[a])]
    return [("GET", u) for u in gets] + [("POST", u) for u in posts]


def snapshot():
    return (list(Archive.objects.order_by("pk").values_list("pk", "status", "org_id", "is_temporary",
                                                            "updated_at")),
            ArchiveStep.objects.count(), Attachment.objects.filter(withdrawn_at__isnull=True).count(),
            list(Transfer.objects.values_list("pk", "status")), Objection.objects.filter(resolved_at=None).count(),
            DuplicateFlag.objects.filter(resolved_at=None).count(), AssistancePlan.objects.count(),
            ArchiveReview.objects.count())


def test_anonymous_visitors_are_sent_to_the_login_page_everywhere(client, world):
    before = snapshot()
    for method, url in every_route(world):
        response = client.get(url) if method == "GET" else client.post(url, {"reason": "x", "decision": "accept"})
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert snapshot() == before


def test_the_outsider_gets_404_on_every_archive_url_and_changes_nothing(login, users, world):
    client = login(users.outsider)
    before = snapshot()
    for method, url in every_route(world):
        response = client.get(url) if method == "GET" else client.post(
            url, {"reason": "x", "decision": "accept", "resolution": "duplicate", "note": "x"})
        if re.search(r"/\d+/", url):
            assert response.status_code == 404, url
        else:  # pages without an object: the outsider's own (empty) scope
            assert response.status_code in (200, 302, 403), url
            assert "王建华" not in text(response) and "武侯区" not in text(response), url
    assert snapshot() == before


def test_the_read_only_auditor_of_the_province_sees_but_cannot_write(login, users, world):
    client = login(users.auditor)
    assert client.get(reverse("archive_detail", args=[world.active.pk])).status_code == 200
    before = snapshot()
    for method, url in every_route(world):
        if method == "POST":
            assert client.post(url, {"reason": "x", "decision": "accept"}).status_code == 403, url
    assert snapshot() == before


# --- the list -------------------------------------------------------------------------------------

def test_the_list_shows_masked_ids_counts_and_links(login, users, filed, make_active):
    active = make_active()
    page = text(login(users.county).get(reverse("archive_list")))
    assert filed.archive_no in page and active.archive_no in page
    assert reverse("archive_detail", args=[filed.pk]) in page
    assert pii.mask_id_number(filed.id_number) in page
    assert filed.id_number not in page and active.id_number not in page
    assert 'id="archive-counts">共 <strong>2</strong> 份 · 草稿 1 · 在档 1' in page


def test_the_list_filters(login, users, tree, make_active, filed):
    plain = make_active()
    worker = make_active(archive_input(model_worker_type="全国劳模", identity="农民工", category="低保边缘户",
                                       causes=["子女上学"]))
    elsewhere = make_active(org=tree.g1)
    client = login(users.colleague)

    def found(**params):
        page = text(client.get(reverse("archive_list"), params))
        return {a.archive_no for a in (plain, worker, elsewhere, filed) if a.archive_no in page}

    assert found(status="draft") == {filed.archive_no}
    assert found(category="低保边缘户") == {worker.archive_no}
    assert found(cause="子女上学") == {worker.archive_no}
    assert found(model_worker="on") == {worker.archive_no}
    assert found(migrant="on") == {worker.archive_no}
    assert found(org="510107-0001") == {elsewhere.archive_no}
    assert found(review_due="on") == {plain.archive_no, worker.archive_no, elsewhere.archive_no}
    ArchiveReview.objects.create(archive=plain, year=timezone.localdate().year, result="继续在档",
                                 reviewer=users.county)
    assert found(review_due="on") == {worker.archive_no, elsewhere.archive_no}
    response = client.get(reverse("archive_list"), {"org": "460105"})
    assert "不存在或不在您的管辖范围内" in text(response) and found(org="460105") == set()
    assert found(status="nonsense") == {plain.archive_no, worker.archive_no, elsewhere.archive_no, filed.archive_no}


def test_the_list_finds_an_archive_by_full_id_number_or_name(login, users, filed, make_active):
    other = make_active(archive_input(name="赵丽"))
    client = login(users.county)
    page = text(client.get(reverse("archive_list"), {"q": filed.id_number}))
    assert filed.archive_no in page and other.archive_no not in page
    member_id = filed.members.first().id_number
    assert filed.archive_no in text(client.get(reverse("archive_list"), {"q": member_id}))
    page = text(client.get(reverse("archive_list"), {"q": "赵丽"}))
    assert other.archive_no in page and filed.archive_no not in page
    page = text(client.get(reverse("archive_list"), {"q": filed.id_number}))
    assert page.count(filed.id_number) == 1 and f'value="{filed.id_number}"' in page  # only the typed query


def test_the_outsider_finds_nothing_even_by_the_exact_id(login, users, filed):
    page = text(login(users.outsider).get(reverse("archive_list"), {"q": filed.id_number}))
    assert filed.archive_no not in page and "没有符合条件的档案" in page


def test_the_list_needs_a_bounded_number_of_queries(login, users, tree, django_assert_max_num_queries):
    handler = actor_of(users.county)
    client = login(users.county)
    for i in range(3):
        archive_file(actor=handler, org=tree.k1, data=solo(i))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("archive_list"))
    for i in range(3, 15):
        archive_file(actor=handler, org=tree.g1, data=solo(i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(client.get(reverse("archive_list")))
    assert len(listed(page)) == 15


def test_the_list_is_paginated_by_50(login, users, tree):
    handler = actor_of(users.county)
    for i in range(51):
        archive_file(actor=handler, org=tree.k1, data=solo(i))
    client = login(users.county)
    page = text(client.get(reverse("archive_list"), {"status": "draft"}))
    assert "第 1 / 2 页，共 51 条" in page and "?status=draft&page=2" in page
    assert len(listed(text(client.get(reverse("archive_list"), {"status": "draft", "page": 2})))) == 1


# --- the form ---------------------------------------------------------------------------------------

def test_the_handler_files_an_archive_through_the_form(login, users, tree):
    client = login(users.county)
    page = text(client.get(reverse("archive_create")))
    assert "户主基本情况" in page and "家庭成员" in page and "archive-form.js" in page
    assert 'value="510107"' in page  # the acting org is the default
    data = form_data(is_temporary="on")
    response = client.post(reverse("archive_create"), data)
    archive = Archive.objects.get()
    assert response.status_code == 302 and response.url == reverse("archive_detail", args=[archive.pk])
    assert archive.status == "draft" and archive.is_temporary and archive.org == tree.k1
    assert archive.id_number == data["id_number"] and archive.birth_date == date(1975, 5, 20)
    assert archive.sex == "男" and archive.causes == ["本人大病", "下岗失业"]
    assert archive.monthly_income == Decimal("850.00") and archive.in_medical_insurance
    assert list(archive.members.values_list("name", "relation")) == [("李秀兰", "妻子"), ("王小明", "儿子")]
    assert archive.members.get(name="李秀兰").sex == "女"


def test_the_form_files_into_a_lower_org_by_code_but_not_outside(login, users, tree):
    client = login(users.county)
    assert client.post(reverse("archive_create"), form_data("510107-0001")).status_code == 302
    assert Archive.objects.get().org == tree.g1
    response = client.post(reverse("archive_create"), form_data("510104"))
    assert response.status_code == 200 and Archive.objects.count() == 1
    assert "该组织代码不存在或不在您的管辖范围内" in response.context["form"].errors["org_code"][0]


def test_the_form_refuses_a_bad_closed_list_value_naming_the_field(login, users):
    response = login(users.county).post(reverse("archive_create"), form_data(housing_type="别墅"))
    assert response.status_code == 200 and Archive.objects.count() == 0
    errors = response.context["form"].errors
    assert list(errors) == ["housing_type"] and "“别墅”不是可选的值" in errors["housing_type"][0]
    assert 'id="f-housing_type"' in text(response) and "表单有错误" in text(response)


def test_the_form_refuses_a_bad_id_number_naming_the_field(login, users):
    good = form_data()["id_number"]
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = login(users.county).post(reverse("archive_create"), form_data(id_number=bad))
    assert response.status_code == 200 and Archive.objects.count() == 0
    assert "身份证号校验位错误" in response.context["form"].errors["id_number"][0]


def test_the_form_refuses_duplicate_causes_and_a_bad_region_on_their_fields(login, users):
    response = login(users.county).post(reverse("archive_create"), form_data(
        cause_2="本人大病", hukou_region_code="999999", monthly_income="1.234"))
    errors = response.context["form"].errors
    assert "致困主要原因不能重复" in errors["cause_1"][0]
    assert "不在区划代码表中" in errors["hukou_region_code"][0]
    assert "两位小数" in errors["monthly_income"][0]
    assert Archive.objects.count() == 0


def test_the_form_applies_the_input_policy_to_every_field_at_once(login, users):
    response = login(users.county).post(reverse("archive_create"), form_data(
        name="   ", address="住址\x1b[2J", employer="厂" * 201, remarks="长" * 2001, hukou_region_code="51a107",
        work_start_date="0001-01-01", dibao_to="9999-12-31"))
    assert response.status_code == 200 and Archive.objects.count() == 0
    errors = response.context["form"].errors
    assert errors["name"] == ["请填写姓名"]
    assert errors["address"] == ["家庭住址含有不可见的控制字符，请删除后重新填写"]
    assert errors["employer"] == ["工作单位不能超过 200 个字（现有 201 个字）"]
    assert errors["remarks"] == ["备注不能超过 2000 个字（现有 2001 个字）"]
    assert errors["hukou_region_code"] == ["户口所在地行政区划代码应为6位数字"]
    assert errors["work_start_date"] == ["工作时间不能早于1900年1月1日"]
    assert errors["dibao_to"][0].startswith("低保截止不能晚于")


def test_multi_line_remarks_keep_their_lines(login, users):
    login(users.county).post(reverse("archive_create"), form_data(remarks="第一行\r\n第二行\t缩进"))
    assert Archive.objects.get().remarks == "第一行\n第二行\t缩进"


def test_member_errors_are_shown_and_nothing_is_written(login, users):
    rows = [{"name": "王小红", "relation": "女儿", "id_number": "", "sex": "", "birth_date": "",
             "political_status": "群众", "health": "良好", "identity": "幼儿", "monthly_income": "0"}]
    response = login(users.county).post(reverse("archive_create"), form_data(member_rows=rows))
    assert response.status_code == 200 and Archive.objects.count() == 0 and FamilyMember.objects.count() == 0
    assert "第1位家庭成员：没有身份证号时须填写出生日期和性别" in text(response)
    rows[0].update(sex="女", birth_date="2020-03-01")
    assert login(users.county).post(reverse("archive_create"), form_data(member_rows=rows)).status_code == 302
    assert FamilyMember.objects.get().birth_date == date(2020, 3, 1)


def test_more_than_eight_members_are_refused(login, users):
    rows = [{"name": f"成员{i}", "relation": "其他", "sex": "男", "birth_date": "2000-01-01",
             "political_status": "群众", "health": "良好", "identity": "农民"} for i in range(9)]
    response = login(users.county).post(reverse("archive_create"), form_data(member_rows=rows, household_size="10"))
    assert response.status_code == 200 and Archive.objects.count() == 0
    assert "最多登记8位" in text(response)


def test_a_person_already_in_a_live_archive_is_refused_on_the_id_field(login, users, filed):
    response = login(users.county).post(reverse("archive_create"), form_data(id_number=filed.id_number))
    assert response.status_code == 200 and Archive.objects.count() == 1
    assert filed.archive_no in response.context["form"].errors["id_number"][0]


def test_editing_keeps_the_masked_ids_and_saves_the_changes(login, users, filed):
    client = login(users.county)
    page = text(client.get(reverse("archive_edit", args=[filed.pk])))
    assert filed.id_number not in page and pii.mask_id_number(filed.id_number) in page
    members = list(filed.members.all())
    rows = [{"name": m.name, "relation": m.relation, "id_number": pii.mask_id_number(m.id_number),
             "sex": m.sex, "birth_date": m.birth_date.isoformat(), "political_status": m.political_status,
             "health": m.health, "identity": m.identity, "monthly_income": str(m.monthly_income),
             "school_or_employer": m.school_or_employer} for m in members]
    data = form_data(member_rows=rows, id_number=pii.mask_id_number(filed.id_number),
                     phone=pii.mask_phone(filed.phone), address="成都市武侯区新地址8号")
    data["members-INITIAL_FORMS"] = str(len(rows))
    del data["org_code"]
    response = client.post(reverse("archive_edit", args=[filed.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    filed.refresh_from_db()
    assert filed.address == "成都市武侯区新地址8号" and filed.phone == "13912345678"
    assert sorted(filed.members.values_list("id_number", flat=True)) == sorted(m.id_number for m in members)
    assert filed.steps.filter(action="update", note__contains="家庭住址").exists()


def test_a_member_row_can_be_deleted_when_editing(login, users, filed):
    members = list(filed.members.all())
    rows = [{"name": m.name, "relation": m.relation, "id_number": pii.mask_id_number(m.id_number),
             "political_status": m.political_status, "health": m.health, "identity": m.identity,
             "monthly_income": str(m.monthly_income)} for m in members]
    rows[1]["DELETE"] = "on"
    data = form_data(member_rows=rows, id_number=pii.mask_id_number(filed.id_number))
    data["members-INITIAL_FORMS"] = "2"
    assert login(users.county).post(reverse("archive_edit", args=[filed.pk]), data).status_code == 302
    assert list(filed.members.values_list("name", flat=True)) == [members[0].name]


def test_an_archive_under_review_cannot_be_edited(login, users, filed):
    lifecycle.archive_submit(actor=actor_of(users.county), archive=filed)
    response = login(users.county).get(reverse("archive_edit", args=[filed.pk]), follow=True)
    assert "不能修改" in messages_of(response)


def test_the_category_suggestion_uses_the_figures_and_the_local_dibao(login, users):
    DibaoStandard.objects.create(region_code="510100", year=2020, monthly_amount=Decimal("600"))
    client = login(users.county)
    page = text(client.get(reverse("archive_suggest"), {
        "household_annual_income": "14400", "household_size": "3", "hukou_region_code": "510107"}))
    assert "四川省成都市武侯区" in page and "600.00" in page
    assert "低保户" in page and "家庭月人均收入400.00元低于低保标准600.00元" in page
    assert "深度困难" in page and 'data-use-category="低保户"' in page
    page = text(client.get(reverse("archive_suggest"), {"household_size": "3"}))
    assert "请先填写家庭年度总收入" in page
    page = text(client.get(reverse("archive_suggest"), {
        "household_annual_income": "14400", "household_size": "3", "hukou_region_code": "460105"}))
    assert "未设置当地低保标准" in page


def test_the_region_hint_names_the_code(login, users):
    client = login(users.county)
    assert "四川省成都市武侯区" in text(client.get(reverse("archive_region"), {"hukou_region_code": "510107"}))
    assert "区划代码表中没有999999" in text(client.get(reverse("archive_region"), {"hukou_region_code": "999999"}))


# --- the archive page ---------------------------------------------------------------------------------

def test_the_archive_page_shows_masked_data_derived_figures_and_the_timeline(login, users, filed):
    page = text(login(users.county).get(reverse("archive_detail", args=[filed.pk])))
    assert pii.mask_id_number(filed.id_number) in page and filed.id_number not in page
    assert pii.mask_phone(filed.phone) in page and filed.phone not in page
    for m in filed.members.all():
        assert pii.mask_id_number(m.id_number) in page and m.id_number not in page
    assert "<strong>4800.00</strong> 元" in page  # 家庭年人均收入 14400 / 3
    assert f"{filed.age_on(timezone.localdate())}岁" in page
    assert "打印登记表（PDF）" in page and reverse("archive_pdf", args=[filed.pk]) in page
    assert "提交初审" in page and "初审通过" not in page  # the handler's step in 草稿
    assert re.search(r"<strong>建档</strong>.*county", page, re.S)


def test_showing_the_full_id_is_audited_and_needs_the_permission(login, users, filed):
    client = login(users.county)
    page = text(client.get(reverse("archive_detail", args=[filed.pk]), {"reveal": "id"}))
    assert filed.id_number in page and filed.members.first().id_number in page
    event = AuditEvent.objects.get(action="pii.view")
    assert event.object_id == str(filed.pk) and event.actor == users.county
    page = text(client.get(reverse("archive_detail", args=[filed.pk]), {"reveal": "phone"}))
    assert filed.phone in page and AuditEvent.objects.filter(action="pii.view").count() == 2
    leader = login(users.leader)  # 领导 sees masked data only
    assert "显示完整" not in text(leader.get(reverse("archive_detail", args=[filed.pk])))
    assert leader.get(reverse("archive_detail", args=[filed.pk]), {"reveal": "id"}).status_code == 403
    assert AuditEvent.objects.filter(action="pii.view").count() == 2


def test_the_pdf_is_masked_by_default_and_a_full_one_is_audited(login, users, filed):
    client = login(users.county)
    response = client.get(reverse("archive_pdf", args=[filed.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and filed.archive_no in response["Content-Disposition"]
    assert not AuditEvent.objects.filter(action="pii.export").exists()
    assert client.get(reverse("archive_pdf", args=[filed.pk]), {"full": "1"}).status_code == 200
    assert AuditEvent.objects.get(action="pii.export").object_id == str(filed.pk)
    assert login(users.leader).get(reverse("archive_pdf", args=[filed.pk]), {"full": "1"}).status_code == 403


def test_the_whole_lifecycle_through_the_buttons(login, users, tree):
    county, colleague = users.county, users.colleague
    client = login(county)
    client.post(reverse("archive_create"), form_data())
    a = Archive.objects.get()
    assert "已完成" in messages_of(follow_post(client, "archive_submit", a.pk))
    a.refresh_from_db()
    assert a.status == "submitted"
    page = text(login(colleague).get(reverse("archive_detail", args=[a.pk])))
    assert 'id="step-accept"' in page and 'id="step-return"' in page and 'id="step-submit"' not in page
    follow_post(login(colleague), "archive_accept", a.pk, data={"note": "材料齐全"})
    a.refresh_from_db()
    assert a.status == "verifying"
    verify = {"visited_on": PAST.isoformat(), "visitors": "张三、李四", "findings": "家庭情况属实",
              "publicity_start": PAST.isoformat()}
    # a 公示 that started before today: refused without a reason and the 公示 record, both named at once
    response = follow_post(login(county), "archive_verify", a.pk, data=verify)
    said = messages_of(response)
    assert "早于今天，请填写理由" in said and "请上传公示记录" in said
    a.refresh_from_db()
    assert a.status == "verifying" and not a.attachments.exists()
    response = follow_post(login(county), "archive_verify", a.pk, data={
        **verify, "publicity_reason": "公示已在社区张贴，系事后补录",
        "publicity_record": SimpleUploadedFile("公示照片.png", PNG, content_type="image/png")})
    a.refresh_from_db()
    assert a.status == "publicizing" and a.publicity_start == PAST, messages_of(response)
    assert a.publicity_backdated and a.publicity_record.kind == "公示材料"
    # flagged for the reviewer, with the reason and a link to the record
    page = text(login(colleague).get(reverse("archive_detail", args=[a.pk])))
    flag = page.split('id="publicity-backdated"')[1].split("</p>")[0]
    assert "公示已在社区张贴" in flag and "公示照片.png" in flag
    follow_post(login(county), "archive_end_publicity", a.pk)
    a.refresh_from_db()
    assert a.status == "approving"
    page = text(login(county).get(reverse("archive_detail", args=[a.pk])))
    assert 'id="step-approve"' not in page  # not the handler's step
    follow_post(login(colleague), "archive_approve", a.pk)
    a.refresh_from_db()
    assert a.status == "active" and a.activated_at
    # exit: request, approve with a past 公示, finalize
    follow_post(login(county), "archive_exit_request", a.pk, data={"reason": "脱困", "note": "已再就业"})
    follow_post(login(colleague), "archive_exit_approve", a.pk, data={
        "publicity_start": PAST.isoformat(), "publicity_reason": "退档公示已张贴",
        "publicity_record": SimpleUploadedFile("退档公示.pdf", b"%PDF-1.4 x", content_type="application/pdf")})
    response = follow_post(login(colleague), "archive_exit_finalize", a.pk)
    a.refresh_from_db()
    assert a.status == "exited" and a.exit_reason == "脱困", messages_of(response)
    page = text(response)
    for name in ("建档", "提交初审", "初审通过", "入户核查完成并公示", "公示期满", "审批通过", "申请退档",
                 "退档审批通过并公示", "退档公示期满"):
        assert f"<strong>{name}</strong>" in page, name
    assert "张三、李四" in page and "材料齐全" in page


def test_return_and_reject_need_a_reason(login, users, filed):
    handler = actor_of(users.county)
    lifecycle.archive_submit(actor=handler, archive=filed)
    client = login(users.colleague)
    response = follow_post(client, "archive_return", filed.pk, data={"reason": ""})
    assert "退回修改未完成" in messages_of(response) and "原因" in messages_of(response)
    filed.refresh_from_db()
    assert filed.status == "submitted"
    follow_post(client, "archive_return", filed.pk, data={"reason": "缺少诊断证明"})
    filed.refresh_from_db()
    assert filed.status == "draft" and filed.steps.filter(action="return", note="缺少诊断证明").exists()


def test_an_illegal_transition_shows_a_chinese_message_and_changes_nothing(login, users, filed):
    steps = ArchiveStep.objects.count()
    response = follow_post(login(users.colleague), "archive_approve", filed.pk)
    assert "档案当前为“草稿”，不能审批通过" in messages_of(response)
    filed.refresh_from_db()
    assert filed.status == "draft" and ArchiveStep.objects.count() == steps
    response = follow_post(login(users.county), "archive_end_publicity", filed.pk)
    assert "不能公示期满" in messages_of(response)


def test_a_handler_cannot_take_a_reviewers_step(login, users, filed):
    lifecycle.archive_submit(actor=actor_of(users.county), archive=filed)
    assert login(users.county).post(reverse("archive_accept", args=[filed.pk])).status_code == 403
    filed.refresh_from_db()
    assert filed.status == "submitted"


def test_publicity_cannot_end_early_or_with_an_open_objection(login, users, filed):
    handler, reviewer = actor_of(users.county), actor_of(users.colleague)
    lifecycle.archive_submit(actor=handler, archive=filed)
    lifecycle.archive_accept(actor=reviewer, archive=filed)
    lifecycle.archive_verify(actor=handler, archive=filed, visited_on=timezone.localdate(), visitors="张三",
                             findings="属实")
    response = follow_post(login(users.county), "archive_end_publicity", filed.pk)
    assert "期满" in messages_of(response) and "后才能进行下一步" in messages_of(response)
    Archive.objects.filter(pk=filed.pk).update(publicity_start=PAST, publicity_end=PAST + timedelta(days=4))
    follow_post(login(users.county), "archive_objections", filed.pk, data={
        "received_on": PAST.isoformat(), "raised_by": "邻居", "content": "家中有车"})
    obj = Objection.objects.get()
    response = follow_post(login(users.county), "archive_end_publicity", filed.pk)
    assert "1条异议尚未处理完毕" in messages_of(response)
    response = follow_post(login(users.colleague), "archive_objection_resolve", filed.pk, obj.pk,
                           data={"resolution": "经核实车辆已报废"})
    obj.refresh_from_db()
    assert obj.resolution == "经核实车辆已报废" and "经核实车辆已报废" in text(response)
    follow_post(login(users.county), "archive_end_publicity", filed.pk)
    filed.refresh_from_db()
    assert filed.status == "approving"


def test_a_rejection_frees_the_person(login, users, filed):
    handler, reviewer = actor_of(users.county), actor_of(users.colleague)
    lifecycle.archive_submit(actor=handler, archive=filed)
    lifecycle.archive_accept(actor=reviewer, archive=filed)
    lifecycle.archive_verify(actor=handler, archive=filed, visited_on=PAST, visitors="张三", findings="属实",
                             publicity_start=PAST, today=PAST)
    lifecycle.archive_end_publicity(actor=handler, archive=filed)
    follow_post(login(users.colleague), "archive_reject", filed.pk, data={"reason": "收入超标"})
    filed.refresh_from_db()
    assert filed.status == "rejected"


def test_a_temporary_archive_is_promoted_once_active(login, users, make_active):
    a = make_active()
    Archive.objects.filter(pk=a.pk).update(is_temporary=True)
    assert "临时救助档案转正" in text(login(users.colleague).get(reverse("archive_detail", args=[a.pk])))
    response = follow_post(login(users.colleague), "archive_promote", a.pk)
    a.refresh_from_db()
    assert not a.is_temporary and "已转为正式档案" in messages_of(response)


def test_an_exit_can_be_cancelled(login, users, make_active):
    a = make_active()
    follow_post(login(users.county), "archive_exit_request", a.pk, data={"reason": "迁出本辖区"})
    a.refresh_from_db()
    assert a.status == "exit_review"
    follow_post(login(users.colleague), "archive_exit_cancel", a.pk, data={"reason": "仍在本辖区"})
    a.refresh_from_db()
    assert a.status == "active" and a.exit_reason == ""


# --- plan, attachments, reviews, duplicates, transfers -------------------------------------------------

def test_the_plan_is_saved_and_shown(login, users, make_active):
    a = make_active()
    client = login(users.county)
    next_visit = timezone.localdate() + timedelta(days=30)
    response = follow_post(client, "archive_plan", a.pk, data={
        "needs": "医疗费用", "measures": "大病救助", "contact_name": "刘帮扶", "contact_phone": "13700001111",
        "next_visit_date": next_visit.isoformat()})
    assert "一户一策帮扶计划已保存" in messages_of(response)
    page = text(response)
    assert "大病救助" in page and "刘帮扶" in page and "137****1111" in page and "13700001111" not in page
    follow_post(client, "archive_plan", a.pk, data={  # the masked phone left as it was keeps the number
        "needs": "医疗费用", "measures": "大病救助、就业帮扶", "contact_name": "刘帮扶",
        "contact_phone": "137****1111", "next_visit_date": next_visit.isoformat()})
    plan = AssistancePlan.objects.get()
    assert plan.contact_phone == "13700001111" and plan.measures == "大病救助、就业帮扶"
    response = follow_post(client, "archive_plan", a.pk, data={
        "needs": "x", "measures": "y", "contact_name": "z", "next_visit_date": "2000-01-01"})
    assert "6个月之内" in messages_of(response)


def test_attachments_are_uploaded_downloaded_and_withdrawn(login, users, make_active, settings, tmp_path):
    settings.WARMTH_FILES_DIR = tmp_path
    a = make_active()
    client = login(users.county)
    response = follow_post(client, "archive_attachments", a.pk, data={
        "kind": "诊断证明", "file": SimpleUploadedFile("诊断.png", PNG, content_type="image/png")})
    assert "附件已上传" in messages_of(response)
    att = Attachment.objects.get()
    assert reverse("attachment_download", args=[att.pk]) in text(response)
    download = client.get(reverse("attachment_download", args=[att.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert login(users.colleague).get(reverse("attachment_download", args=[att.pk])).status_code == 200
    assert login(users.outsider).get(reverse("attachment_download", args=[att.pk])).status_code == 404
    client = login(users.county)
    response = follow_post(client, "archive_attachments", a.pk, data={
        "kind": "诊断证明", "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="image/png")})
    assert "只接受PDF、JPG、PNG" in messages_of(response) and Attachment.objects.count() == 1
    follow_post(client, "attachment_withdraw", att.pk)
    att.refresh_from_db()
    assert att.withdrawn_at and client.get(reverse("attachment_download", args=[att.pk])).status_code == 404
    assert reverse("attachment_download", args=[att.pk]) not in text(client.get(reverse("archive_detail",
                                                                                        args=[a.pk])))


def test_a_yearly_review_is_recorded_once(login, users, make_active):
    a = make_active()
    client = login(users.county)
    year = timezone.localdate().year
    response = follow_post(client, "archive_reviews", a.pk,
                           data={"year": year, "result": "继续在档", "notes": "无变化"})
    assert "年度复核已记录" in messages_of(response) and ArchiveReview.objects.get().result == "继续在档"
    response = follow_post(client, "archive_reviews", a.pk, data={"year": year, "result": "继续在档"})
    assert f"{year}年度已复核" in messages_of(response) and ArchiveReview.objects.count() == 1


def test_a_possible_duplicate_is_flagged_and_resolved(login, users, world):
    page = text(login(users.colleague).get(reverse("archive_detail", args=[world.pub.pk])))
    assert "疑似重复" in page and world.active.archive_no in page
    response = follow_post(login(users.colleague), "archive_duplicate_resolve", world.pub.pk, world.flag.pk,
                           data={"resolution": "not_duplicate", "note": "不同人"})
    world.flag.refresh_from_db()
    assert world.flag.resolution == "not_duplicate" and "疑似重复已处理" in messages_of(response)
    other = DuplicateFlag.objects.exclude(archive=world.pub).first()
    if other is not None:  # a flag of another archive is not reachable through this one
        assert login(users.colleague).post(reverse("archive_duplicate_resolve",
                                                   args=[world.pub.pk, other.pk])).status_code == 404


def test_a_transfer_is_requested_and_accepted_by_the_receiving_org(login, users, tree, make_active):
    a = make_active()
    response = follow_post(login(users.county), "archive_transfer", a.pk, data={"to_org": "510104",
                                                                              "reason": "户籍迁入锦江区"})
    assert "转出申请已提交" in messages_of(response)
    t = Transfer.objects.get()
    receiver = make_user("jinjiang", tree.k2, Role.REVIEWER)
    client = login(receiver)
    page = text(client.get(reverse("archive_list")))
    assert "待接收的转入档案" in page and a.name in page and pii.mask_id_number(a.id_number) in page
    assert a.id_number not in page
    assert client.get(reverse("archive_detail", args=[a.pk])).status_code == 404  # not theirs yet
    response = client.post(reverse("transfer_decide", args=[t.pk]), {"decision": "accept"}, follow=True)
    a.refresh_from_db()
    assert a.org == tree.k2 and "已接收档案" in messages_of(response)
    assert response.redirect_chain[-1][0] == reverse("archive_detail", args=[a.pk])
    assert login(users.county).get(reverse("archive_detail", args=[a.pk])).status_code == 404


def test_a_transfer_to_an_unknown_org_or_refused(login, users, tree, make_active):
    a = make_active()
    response = follow_post(login(users.county), "archive_transfer", a.pk, data={"to_org": "NOPE", "reason": "x"})
    assert "组织代码NOPE不存在" in messages_of(response) and not Transfer.objects.exists()
    follow_post(login(users.county), "archive_transfer", a.pk, data={"to_org": "510104", "reason": "x"})
    t = Transfer.objects.get()
    receiver = make_user("jinjiang", tree.k2, Role.REVIEWER)
    login(receiver).post(reverse("transfer_decide", args=[t.pk]), {"decision": "refuse", "note": "不在本区"})
    t.refresh_from_db()
    a.refresh_from_db()
    assert t.status == "refused" and a.org == tree.k1


# --- 动态管理 lists ---------------------------------------------------------------------------------

def test_the_care_lists(login, users, make_active):
    reviewed, unplanned = make_active(), make_active()
    ArchiveReview.objects.create(archive=reviewed, year=timezone.localdate().year, result="继续在档",
                                 reviewer=users.county)
    Archive.objects.filter(pk=reviewed.pk).update(updated_at=timezone.now() - timedelta(days=400))
    client = login(users.county)
    page = text(client.get(reverse("archive_care", args=["due"])))
    assert unplanned.archive_no in page and reviewed.archive_no not in page
    page = text(client.get(reverse("archive_care", args=["overdue"])))
    assert unplanned.archive_no in page and reviewed.archive_no in page
    page = text(client.get(reverse("archive_care", args=["unchanged"])))
    assert reviewed.archive_no in page and unplanned.archive_no not in page
    first = text(client.get(reverse("archive_care", args=["sample"]), {"seed": "2026-一季度"}))
    again = text(client.get(reverse("archive_care", args=["sample"]), {"seed": "2026-一季度"}))
    assert len(listed(first)) == 1 and listed(first) == listed(again)
    assert "请在右侧输入抽样种子" in text(client.get(reverse("archive_care", args=["sample"])))
    assert client.get(reverse("archive_care", args=["nothing"])).status_code == 404
    assert unplanned.id_number not in page


def test_a_searched_id_number_never_appears_in_the_url(client, users, make_active):
    from django.urls import reverse

    a = make_active()
    client.force_login(users.colleague)
    response = client.post(reverse("archive_list"), {"q": a.id_number, "status": "active"})
    assert response.status_code == 302 and a.id_number not in response.url and "qid=" in response.url
    page = client.get(response.url).content.decode()
    assert a.archive_no in page and "status=active" in response.url


def test_an_upload_runs_the_import_job_and_the_job_page_lists_the_problems(client, users, tmp_path,
                                                                           django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.archives.factories import head_fields
    from warmth.archives.template import write_template
    from warmth.jobs.models import Job

    path = tmp_path / "t.xlsx"
    write_template(path)  # an empty template: nothing to import, no problem
    client.force_login(users.county)
    assert client.get(reverse("archive_template")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archive_import"), {
            "org": "510107", "dry_run": "on",
            "file": SimpleUploadedFile("t.xlsx", path.read_bytes())})
    job = Job.objects.get(kind="archives.import")
    assert response.status_code == 302 and response.url == reverse("job_detail", args=[job.pk])
    assert job.status == "done" and job.result["rows"] == 0
    response = client.post(reverse("archive_import"), {"org": "460105",
                                                       "file": SimpleUploadedFile("t.xlsx", path.read_bytes())})
    assert "不在您的管辖范围内" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("archive_import"), {"org": "510107", "file": SimpleUploadedFile("t.xlsx", b"not a zip")})
    bad = Job.objects.filter(kind="archives.import").latest("id")
    assert bad.status == "failed" and "xlsx" in bad.error  # refused with a message, not a crash
    assert "内部错误" not in bad.error and head_fields()


def test_export_runs_as_a_job_and_needs_the_export_permission(client, users, make_active,
                                                              django_capture_on_commit_callbacks):
    from django.urls import reverse

    from warmth.jobs.models import Job

    make_active()
    client.force_login(users.colleague)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archive_export"), {"org": "510107"})
    job = Job.objects.get(kind="archives.export")
    assert response.status_code == 302 and job.status == "done" and job.result_file
    client.force_login(users.leader)  # 领导 may not export rosters
    assert client.post(reverse("archive_export"), {"org": "510107"}).status_code == 403


def test_the_form_shows_its_own_and_the_services_problems_in_one_response(login, users):
    """Form checks (a closed list, a blank name) and service checks (an unknown region, duplicate causes, a
    member's bad ID) fail together: one submit lists them all, each under its field, and nothing is written."""
    good = form_data()["members-0-id_number"]
    response = login(users.county).post(reverse("archive_create"), form_data(
        housing_type="别墅", name="", hukou_region_code="999999", cause_2="本人大病", phone="12",
        **{"members-0-id_number": good[:17] + ("0" if good[17] != "0" else "1")}))
    assert response.status_code == 200 and Archive.objects.count() == 0
    errors = response.context["form"].errors
    assert "“别墅”不是可选的值" in errors["housing_type"][0]  # the form's
    assert errors["name"] == ["请填写姓名"]
    assert "不在区划代码表中" in errors["hukou_region_code"][0]  # the service's, in the same response
    assert "致困主要原因不能重复" in errors["cause_1"][0]
    assert "联系电话应为7至12位数字" in errors["phone"][0]
    assert any("第1位家庭成员" in m and "校验位" in m for m in response.context["member_errors"])
    assert not AuditEvent.objects.filter(action="archive.file").exists()


def test_an_edit_shows_the_forms_and_the_services_problems_together_and_keeps_the_archive(login, users, make_active):
    archive = make_active()
    before = (archive.address, archive.hukou_region_code)
    data = form_data(housing_type="别墅", hukou_region_code="999999", address="新地址")
    data["id_number"] = archive.id_number
    response = login(users.county).post(reverse("archive_edit", args=[archive.pk]), data)
    errors = response.context["form"].errors
    assert "housing_type" in errors and "不在区划代码表中" in errors["hukou_region_code"][0]
    archive.refresh_from_db()
    assert (archive.address, archive.hukou_region_code) == before
