"""Filing: every closed list of the 填表说明, derived fields, archive numbers, one person one live archive."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.archives.factories import archive_input, head_fields, members, new_id
from tests.conftest import actor_of
from warmth.archives import choices
from warmth.archives.models import Archive, ArchivePerson, ArchiveStep
from warmth.archives.services import ArchiveInput, archive_file, archive_update, find_live_by_id
from warmth.audit.models import AuditEvent

# (field, the closed list it must come from) for every enumerated field of the 登记表 and its 填表说明
CLOSED_HEAD_FIELDS = [
    ("category", choices.HardshipCategory), ("political_status", choices.PoliticalStatus),
    ("health", choices.Health), ("disability_type", choices.DisabilityType), ("identity", choices.Identity),
    ("model_worker_type", choices.ModelWorkerType), ("housing_type", choices.HousingType),
    ("housing_area", choices.HousingArea), ("industry", choices.Industry),
    ("marital_status", choices.MaritalStatus), ("hukou_type", choices.HukouType),
    ("employer_type", choices.EmployerType), ("enterprise_status", choices.EnterpriseStatus),
    ("ethnicity", choices.Ethnicity),
]
CLOSED_MEMBER_FIELDS = [
    ("relation", choices.Relation), ("political_status", choices.PoliticalStatus), ("health", choices.Health),
    ("identity", choices.MemberIdentity),
]


def test_the_closed_lists_are_exactly_those_of_the_form():
    assert choices.PoliticalStatus.values == ["中共党员", "共青团员", "群众", "民主党派", "其他"]
    assert choices.Health.values == ["良好", "疾病", "残病", "其它"]
    assert choices.Identity.values == ["在岗", "下（待）岗", "失（无）业", "退休", "离休", "病退", "病休", "农民工"]
    assert choices.ModelWorkerType.values == ["非劳模", "全国劳模", "省部级劳模", "地市级劳模", "其他"]
    assert choices.HousingType.values == ["承租单位公房", "政府廉租房", "自购房", "无房", "租房", "自建房", "其他"]
    assert choices.HousingArea.values == ["20以下", "20至50", "50至70", "70以上"]
    assert len(choices.Industry.values) == 24 and choices.Industry.values[0] == "农、林、牧、渔业"
    assert choices.MaritalStatus.values == ["未婚", "已婚", "离异", "丧偶"]
    assert choices.HukouType.values == ["非农业", "农业", "农转居"]
    assert choices.EmployerType.values == ["国有机关/事业单位", "国有企业", "集体企业", "民营/私营/个体企业",
                                           "与港澳台合资/合作", "中外合资/合作", "其他"]
    assert choices.EnterpriseStatus.values == ["亏损企业", "改制企业", "关闭破产企业", "正常", "其他"]
    assert choices.Relation.values == ["父亲", "母亲", "丈夫", "妻子", "儿子", "女儿", "其他"]
    assert len(choices.MemberIdentity.values) == 19 and "研究生" in choices.MemberIdentity.values
    assert choices.HardshipCause.values == ["本人大病", "供养直系亲属大病", "意外灾害", "子女上学", "残疾",
                                            "收入低无法维持基本生活", "下岗失业", "其他"]
    assert choices.SEED_SCHEME == ("低保户", "低保边缘户", "意外致困户")
    assert len(choices.ETHNICITIES) == 57


def test_filing_assigns_a_number_derives_birth_sex_and_audits(users, tree):
    a = archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input())
    assert a.status == "draft" and a.archive_no.startswith("510107-")
    assert a.birth_date == date(1975, 5, 20) and a.sex == "男" and a.age_on(date(2025, 12, 1)) == 50
    assert a.per_capita_income == Decimal("4800.00")
    assert [m.name for m in a.members.all()] == ["李秀兰", "王小明"] and a.members.all()[0].sex == "女"
    assert ArchiveStep.objects.filter(archive=a, action="file").exists()
    event = AuditEvent.objects.get(action="archive.file", object_id=str(a.pk))
    assert "********" in event.after["id_number"]  # the audit log holds masked IDs only
    b = archive_file(actor=actor_of(users.county), org=tree.k1,
                     data=archive_input(id_number=new_id(born=date(1980, 1, 2)), member_count=0))
    assert int(b.archive_no.rsplit("-", 1)[1]) == int(a.archive_no.rsplit("-", 1)[1]) + 1


@pytest.mark.parametrize("field, enum", CLOSED_HEAD_FIELDS)
def test_every_head_closed_list_refuses_a_value_outside_it(users, tree, field, enum):
    with pytest.raises(ValidationError) as exc:
        archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input(**{field: "不存在的值"}))
    assert field in exc.value.message_dict
    assert not Archive.objects.exists()


@pytest.mark.parametrize("field, enum", CLOSED_MEMBER_FIELDS)
def test_every_member_closed_list_refuses_a_value_outside_it(users, tree, field, enum):
    bad = members(1)
    bad[0][field] = "不存在的值"
    with pytest.raises(ValidationError):
        archive_file(actor=actor_of(users.county), org=tree.k1, data=ArchiveInput(head_fields(), bad))
    assert not Archive.objects.exists()


@pytest.mark.parametrize("causes, message", [
    ([], "最少填写1项"), (["本人大病", "残疾", "其他", "下岗失业"], "最多3项"), (["残疾", "残疾"], "不能重复"),
    (["天灾"], "不在填表说明的8项之内"),
])
def test_causes_are_one_to_three_distinct_items_of_the_eight(users, tree, causes, message):
    with pytest.raises(ValidationError, match=message):
        archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input(causes=causes))


@pytest.mark.parametrize("overrides, field, message", [
    ({"id_number": "510107197505201234"}, "id_number", "校验位"),
    ({"id_number": ""}, "id_number", "不能为空"),
    ({"monthly_income": 850.5}, "monthly_income", "浮点数"),
    ({"monthly_income": "-1"}, "monthly_income", "负数"),
    ({"household_annual_income": "1.234"}, "household_annual_income", "两位小数"),
    ({"household_size": 2}, "household_size", "不能少于"),
    ({"hukou_region_code": "519999"}, "hukou_region_code", "区划代码表"),
    ({"hukou_region_code": "510100"}, "hukou_region_code", "县（区）一级"),
    ({"postcode": "61004"}, "postcode", "6位数字"),
    ({"phone": "12ab"}, "phone", "7至12位"),
])
def test_bad_values_name_the_field_and_the_rule_in_chinese(users, tree, overrides, field, message):
    with pytest.raises(ValidationError) as exc:
        archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input(**overrides))
    assert any(message in m for m in exc.value.message_dict[field]), exc.value.message_dict
    assert not Archive.objects.exists() and not ArchivePerson.objects.exists()


def test_a_15_digit_id_is_upgraded_and_full_width_digits_are_accepted(users, tree):
    a = archive_file(actor=actor_of(users.county), org=tree.k1,
                     data=archive_input(id_number="１３０５０３６７０４０１００１", member_count=0))
    assert a.id_number == "130503196704010016" and a.birth_date == date(1967, 4, 1)  # check digit by hand


def test_a_member_without_id_needs_birth_date_and_sex(users, tree):
    m = members(1)
    m[0]["id_number"] = ""
    with pytest.raises(ValidationError, match="出生日期和性别"):
        archive_file(actor=actor_of(users.county), org=tree.k1, data=ArchiveInput(head_fields(), m))
    m[0].update(birth_date=date(1976, 3, 3), sex="女")
    a = archive_file(actor=actor_of(users.county), org=tree.k1, data=ArchiveInput(head_fields(), m))
    assert a.persons.count() == 1  # only IDs are indexed


def test_a_second_live_archive_for_the_same_head_is_refused_and_says_where(users, tree, filed):
    with pytest.raises(ValidationError) as exc:
        archive_file(actor=actor_of(users.county), org=tree.k1,
                     data=archive_input(id_number=filed.id_number, member_count=0))
    assert f"档案{filed.archive_no}" in exc.value.message_dict["id_number"][0]
    assert Archive.objects.count() == 1


def test_a_person_filed_elsewhere_is_refused_without_naming_an_org_the_user_cannot_see(users, tree, filed):
    from tests.conftest import make_user
    from warmth.orgs.models import Role

    hn = actor_of(make_user("hn_handler2", tree.k3, Role.HANDLER))
    wife_id = filed.members.get(relation="妻子").id_number
    with pytest.raises(ValidationError) as exc:
        archive_file(actor=hn, org=tree.k3, data=archive_input(id_number=wife_id, member_count=0,
                                                               hukou_region_code="460105"))
    assert exc.value.message_dict["id_number"] == ["已在其他单位建档，请联系上级工会"]


def test_a_member_already_live_elsewhere_is_refused(users, tree, filed):
    m = members(1)
    m[0]["id_number"] = filed.id_number
    with pytest.raises(ValidationError, match="档案"):
        archive_file(actor=actor_of(users.county), org=tree.k1,
                     data=ArchiveInput(head_fields(id_number=new_id(born=date(1960, 1, 1))), m))


def test_the_database_itself_refuses_a_second_live_row_for_a_person(filed):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ArchivePerson.objects.create(archive=filed, id_bidx=filed.id_number_bidx, is_head=True, live=True)


def test_find_live_by_id_finds_heads_and_members(filed):
    assert find_live_by_id(filed.id_number).archive == filed
    assert find_live_by_id(filed.members.first().id_number).archive == filed


def test_a_handler_files_only_inside_the_subtree_and_reviewers_do_not_file(users, tree):
    with pytest.raises(PermissionDenied):
        archive_file(actor=actor_of(users.county), org=tree.k2, data=archive_input())
    with pytest.raises(PermissionDenied):
        archive_file(actor=actor_of(users.colleague), org=tree.k1, data=archive_input())


def test_updating_a_live_archive_records_the_changed_fields(users, filed):
    data = archive_input(id_number=filed.id_number)
    data.fields["household_annual_income"] = Decimal("18000")
    data.members = [{**m, "id_number": x.id_number} for m, x in zip(data.members, filed.members.all(), strict=True)]
    archive_update(actor=actor_of(users.county), archive=filed, data=data)
    event = AuditEvent.objects.get(action="archive.update")
    assert event.before == {"household_annual_income": "14400.00"} and event.after == {
        "household_annual_income": "18000.00"}


def test_a_submitted_archive_cannot_be_edited(users, filed):
    from warmth.archives.lifecycle import archive_submit

    archive_submit(actor=actor_of(users.county), archive=filed)
    with pytest.raises(ValidationError, match="不能修改"):
        archive_update(actor=actor_of(users.county), archive=filed, data=archive_input(id_number=filed.id_number))


def test_updating_an_archive_of_another_subtree_is_refused_by_the_service(users, filed):
    from django.http import Http404

    with pytest.raises(Http404):
        archive_update(actor=actor_of(users.outsider), archive=filed, data=archive_input(id_number=filed.id_number))
