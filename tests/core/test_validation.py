"""The one input policy (warmth/core/validation.py): each rule, accepted and refused."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Schema
from pydantic import ValidationError as PydanticError

from warmth.core import validation as v
from warmth.core.feedback import error_list, form_messages, messages_of


def refused(fn, *args, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return exc.value.messages


# --- text -----------------------------------------------------------------------------------------------

def test_text_is_trimmed_and_kept_whole():
    assert v.clean_text("  张三 \u3000", label="姓名", max_length=5) == "张三"
    assert v.clean_text("张" * 5, label="姓名", max_length=5) == "张" * 5
    assert v.clean_text(None, label="姓名", max_length=5) == ""


def test_text_longer_than_its_field_is_refused_with_the_label_never_cut():
    assert refused(v.clean_text, "张" * 6, label="姓名", max_length=5) == ["姓名不能超过 5 个字（现有 6 个字）"]


def test_a_required_text_may_not_be_blank():
    assert refused(v.clean_text, "   ", label="姓名", max_length=5, required=True) == ["请填写姓名"]
    assert v.clean_text("   ", label="姓名", max_length=5) == ""


@pytest.mark.parametrize("bad", ["a\ud800", "\udfff", "x\x00y", "\x01", "\x1b[31m", "\x7f", "\x85", "\x9f"])
def test_lone_surrogates_and_control_characters_are_refused(bad):
    (message,) = refused(v.clean_text, bad, label="家庭住址", max_length=200)
    assert message.startswith("家庭住址含有")


@pytest.mark.parametrize("ok", ["王\u00b7小明", "emoji 😀", "\u202e", "日本語", "Ünïcödé", "𠀀"])
def test_other_unicode_is_accepted(ok):
    assert v.clean_text(ok, label="姓名", max_length=50) == ok


def test_line_breaks_and_tabs_only_in_multi_line_fields():
    assert v.clean_text("一\r\n二\r三\t四", label="备注", max_length=20, multiline=True) == "一\n二\n三\t四"
    assert refused(v.clean_text, "一\n二", label="姓名", max_length=20) == ["姓名只能填写一行，不能含有换行或制表符"]
    assert refused(v.clean_text, "一\t二", label="姓名", max_length=20)
    assert refused(v.clean_text, "一\x00二", label="备注", max_length=20, multiline=True)


def test_text_that_is_not_a_string_is_refused():
    assert refused(v.clean_text, 12, label="姓名", max_length=20) == ["姓名须为文字"]
    assert refused(v.clean_text, ["a"], label="姓名", max_length=20) == ["姓名须为文字"]


def test_text_collects_into_a_dict_or_raises_keyed_by_field():
    errors: dict = {}
    assert v.text("  好 ", "name", "姓名", errors, max_length=5) == "好"
    assert v.text("好" * 9, "name", "姓名", errors, max_length=5) == "好" * 9  # returned whole, refused
    v.text("", "leader", "领导", errors, max_length=5, required=True)
    assert errors == {"name": "姓名不能超过 5 个字（现有 9 个字）", "leader": "请填写领导"}
    with pytest.raises(ValidationError) as exc:
        v.text("\x00", "name", "姓名", max_length=5)
    assert list(exc.value.message_dict) == ["name"]


def test_errors_collects_every_problem_of_a_form_at_once():
    e = v.Errors()
    e.text("name", "", label="姓名", max_length=5, required=True)
    e.text("address", "\x1b", label="家庭住址", max_length=5)
    with e.field("amount"):
        v.amount("abc", label="金额")
    with e.field("other"):
        raise ValidationError({"year": "年度不对"})
    e.add("name", "第二个问题")
    with pytest.raises(ValidationError) as exc:
        e.raise_if_any()
    d = exc.value.message_dict
    assert set(d) == {"name", "address", "amount", "year"}
    assert d["name"] == ["请填写姓名", "第二个问题"]
    assert d["amount"] == ["金额：金额格式不正确，请填写数字，如 850 或 850.00"]
    v.Errors().raise_if_any()  # nothing collected: nothing raised


def test_error_list_is_every_line_of_a_refusal():
    exc = ValidationError({"a": ["一", "二"], "b": "三"})
    assert sorted(error_list(exc)) == ["一", "三", "二"]
    assert error_list(PermissionError("不行")) == ["不行"]
    assert messages_of(ValidationError("只有一条")) == "只有一条"


# --- numbers ------------------------------------------------------------------------------------------------

def test_amounts_are_exact_decimals_with_plain_chinese_refusals():
    assert v.amount("1,234.50", label="金额") == Decimal("1234.50")
    assert v.amount(12, label="金额") == Decimal("12")
    for bad, expected in [("abc", "金额：金额格式不正确，请填写数字，如 850 或 850.00"), ("", "请填写金额"),
                          (1.5, "金额：金额不能使用浮点数，请以字符串或整数提交"),
                          ("1.234", "金额：金额最多保留两位小数（分）"), ("9" * 40, "金额：金额过大（须小于一万亿元）"),
                          ("1\x00", "金额含有不可见的控制字符，请删除后重新填写")]:
        (message,) = refused(v.amount, bad, label="金额")
        assert message == expected
        assert "'" not in message and "Decimal" not in message


def test_whole_numbers_within_bounds():
    assert v.integer("42", label="人数") == 42
    assert v.integer(" 1,000 ", label="人数") == 1000
    assert v.integer(7, label="人数", max_value=7) == 7
    for bad, expected in [("abc", "人数须为整数"), (1.0, "人数须为整数"), (True, "人数须为整数"), ("", "请填写人数"),
                          (None, "请填写人数"), ("-1", "人数不能小于 0"), ("9" * 20, f"人数不能大于 {v.MAX_INT}"),
                          ("9" * 400, "人数须为整数"), ("１２", "人数须为整数")]:
        assert refused(v.integer, bad, label="人数") == [expected]


# --- dates ----------------------------------------------------------------------------------------------

def test_dates_within_sense():
    today = timezone.localdate()
    assert v.check_date(date(1900, 1, 1), label="出生日期", future_days=0) == date(1900, 1, 1)
    assert v.check_date(today, label="出生日期", future_days=0) == today
    assert v.check_date(None, label="出生日期") is None
    assert refused(v.check_date, date(1899, 12, 31), label="出生日期") == ["出生日期不能早于1900年1月1日"]
    tomorrow = today + timedelta(days=1)
    assert refused(v.check_date, tomorrow, label="出生日期", future_days=0) == [
        f"出生日期不能晚于{today.year}年{today.month}月{today.day}日"]
    assert refused(v.check_date, date(9999, 12, 31), label="低保截止")
    assert v.check_date(today + timedelta(days=365), label="低保截止") is not None


# --- Django forms ---------------------------------------------------------------------------------------

def test_the_form_text_field_applies_the_policy_with_its_label():
    f = v.TextField(label="姓名", max_length=5)
    assert f.clean(" 张三 ") == "张三"
    for bad, expected in [("", "请填写姓名"), ("张" * 6, "姓名不能超过 5 个字（现有 6 个字）"),
                          ("a\x00", "姓名含有不可见的控制字符，请删除后重新填写")]:
        assert refused(f.clean, bad) == [expected]
    assert "maxlength" not in f.widget_attrs(f.widget)  # the browser must not cut a paste short
    area = v.TextField(label="备注", max_length=10, required=False, multiline=True)
    assert area.clean("一\r\n二") == "一\n二" and area.clean("") == ""


def test_the_form_date_field_keeps_dates_within_sense():
    f = v.DateField(label="工作时间", future_days=366)
    assert f.clean("1995-07-01") == date(1995, 7, 1)
    assert refused(f.clean, "0001-01-01") == ["工作时间不能早于1900年1月1日"]
    assert refused(f.clean, "9999-12-31")[0].startswith("工作时间不能晚于")
    assert refused(f.clean, "abc") == ["工作时间格式不对，请按 2025-01-31 的样式填写"]


# --- the API ----------------------------------------------------------------------------------------------

class Member(Schema):
    name: str = ""


class Body(v.InputSchema):
    name: v.Text("姓名", 5, required=True)
    note: v.LongText("备注", 10) = ""
    org: str = ""
    members: list[Member] = []
    cells: dict[str, str] = {}
    day: date | None = None


def api_messages(**data) -> list[str]:
    with pytest.raises(PydanticError) as exc:
        Body(**data)
    return [e["msg"] for e in exc.value.errors()]


def test_an_api_text_field_applies_the_policy_with_its_label():
    b = Body(name=" 张三 ", note="一\r\n二")
    assert (b.name, b.note) == ("张三", "一\n二")
    assert api_messages(name="   ") == ["请填写姓名"]
    assert api_messages(name="张" * 6) == ["姓名不能超过 5 个字（现有 6 个字）"]
    assert api_messages(name="\ud800") == ["姓名含有无法识别的字符（不是有效的文字编码），请删除后重新填写"]
    assert api_messages(name="好", note="\x00") == ["备注含有不可见的控制字符，请删除后重新填写"]


@pytest.mark.parametrize("data", [{"org": "\x00"}, {"org": "a\ud800"}, {"members": [{"name": "\x1b"}]},
                                  {"cells": {"1.A": "\x01"}}, {"cells": {"\x00": "1"}}, {"extra\x00": 1}])
def test_every_string_of_an_api_body_is_checked_wherever_it_is(data):
    (message,) = api_messages(name="好", **data)
    assert "含有" in message


def test_api_dates_are_within_sense_and_clean_bodies_pass():
    assert api_messages(name="好", day="0001-01-01") == ["day：日期不能早于1900年1月1日"]
    assert api_messages(name="好", day="9999-12-31")[0].startswith("day：日期不能晚于")
    b = Body(name="好", org="510107", members=[{"name": "李四"}], cells={"1.A": "9"}, day="2025-01-01")
    assert b.members[0].name == "李四" and b.day == date(2025, 1, 1)


def test_api_paging_is_bounded_with_chinese_messages():
    paging = v.BoundedPagination.Input
    assert paging().limit == 100 and paging(limit="1000", offset="10000000").offset == v.MAX_OFFSET
    for data, expected in [({"offset": "99999999999999999999"}, "起始位置 offset不能大于 10000000"),
                           ({"offset": "-1"}, "起始位置 offset不能小于 0"),
                           ({"limit": "0"}, "每页条数 limit不能小于 1"),
                           ({"limit": "1001"}, "每页条数 limit不能大于 1000"),
                           ({"limit": "x"}, "每页条数 limit须为整数")]:
        with pytest.raises(PydanticError) as exc:
            paging(**data)
        assert [e["msg"] for e in exc.value.errors()] == [expected]


class Numbers(v.InputSchema):
    year: int = 2025
    size: int | None = None
    ids: list[int] = []
    amount: str | int | None = None


def test_api_whole_numbers_fit_a_database_integer_but_amounts_are_left_to_their_parser():
    assert Numbers(year=v.MAX_INT, size=-v.MAX_INT, ids=[1, 2], amount=10 ** 11).amount == 10 ** 11
    for data in [{"year": v.MAX_INT + 1}, {"size": -(2 ** 70)}, {"ids": [1, 10 ** 20]}]:
        with pytest.raises(PydanticError) as exc:
            Numbers(**data)
        assert "数字超出范围" in exc.value.errors()[0]["msg"]


# --- Django's own messages, plain and labelled ----------------------------------------------------------------

PROGRAMMER_TEXT = ("确保", "该变量", "这个字段", "不是有效选项", "选择一个有效的选项", "null", "True", "%(")


def test_a_plain_django_form_speaks_plain_chinese_with_each_fields_label():
    from django import forms

    class F(forms.Form):
        note = forms.CharField(label="备注", max_length=5)
        size = forms.IntegerField(label="家庭人口", min_value=1, max_value=99)
        kind = forms.ChoiceField(label="类别", choices=[("a", "甲")])
        day = forms.DateField(label="日期")

    f = F({"note": "1234567", "size": "100", "kind": "zz", "day": "昨天"})
    assert not f.is_valid()
    assert dict(f.errors) == {"note": ["备注最多 5 个字（现有 7 个字）"], "size": ["家庭人口不能大于 99"],
                              "kind": ["类别：所选的值不在可选范围内，请从列表中选择"],
                              "day": ["日期格式不对，请按 2025-01-31 的样式填写"]}
    f = F({"size": "abc"})
    assert not f.is_valid()
    assert dict(f.errors) == {"note": ["请填写备注"], "size": ["家庭人口须为整数"], "kind": ["请选择类别"],
                              "day": ["请填写日期"]}
    for m in [m for ms in f.errors.values() for m in ms]:
        assert not any(t in m for t in PROGRAMMER_TEXT), m


def test_a_services_model_validation_names_the_field_by_its_verbose_name():
    from warmth.campaigns.models import VisitGroup

    with pytest.raises(ValidationError) as exc:
        VisitGroup(name="组" * 40, leaders="", liaison="邱军").full_clean(exclude=["campaign"])
    d = exc.value.message_dict
    assert d["name"] == ["组别最多 30 个字（现有 40 个字）"] and d["leaders"] == ["领导必须填写"]
    for m in error_list(exc.value):
        assert not any(t in m for t in PROGRAMMER_TEXT), m


def test_a_message_a_form_set_for_itself_is_kept():
    from django import forms

    class F(forms.Form):
        year = forms.IntegerField(label="年度", error_messages={"required": "请选择年度（如 2025）"})

    f = F({})
    assert not f.is_valid() and f.errors["year"] == ["请选择年度（如 2025）"]


def test_a_forms_errors_on_one_line_name_each_field_once():
    from django import forms

    class F(forms.Form):
        address = forms.CharField(label="家庭住址")
        size = forms.IntegerField(label="家庭人口", max_value=99)

    f = F({"size": "100"})
    f.is_valid()
    f.add_error("size", "与家庭成员人数不符")
    assert form_messages(f) == "请填写家庭住址；家庭人口不能大于 99；家庭人口：与家庭成员人数不符"
