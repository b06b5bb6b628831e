"""节假日安排: everyone sees the calendar; only a system admin of the top org enters or withdraws a day, every
problem of the form at once, each change audited, a withdrawn entry kept; the 公示 count follows the entries."""

from datetime import date

import pytest

from tests.conftest import actor_of, make_user
from warmth.audit.models import AuditEvent
from warmth.core.models import CalendarDay, DayKind
from warmth.core.workdays import nth_working_day
from warmth.orgs.holidays import day_set
from warmth.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def top_admin(tree):
    return make_user("topadmin", tree.root, Role.ADMIN)


def test_everyone_sees_the_year_with_the_library_s_days(users, login):
    page = login(users.outsider).get("/holidays/?year=2026")  # the outsider: another province's handler
    assert page.status_code == 200
    text = page.content.decode()
    assert "2026-02-15" in text and "春节" in text and "调休上班" in text
    assert "录入一天" not in text and "撤销录入" not in text  # no form, no button for who may not act
    assert "calendar-unknown" not in text


def test_an_unknown_year_says_so(users, login, top_admin):
    text = login(users.county).get("/holidays/?year=2099").content.decode()
    assert "calendar-unknown" in text and "请联系全国总工会系统管理员录入" in text
    text = login(top_admin).get("/holidays/?year=2099").content.decode()
    assert "请按国务院办公厅的通知在下方逐日录入" in text and "录入一天" in text


@pytest.mark.parametrize("who", ["admin", "outsider", "county"])
def test_only_the_top_org_admin_may_enter_a_day(users, login, who):
    response = login(getattr(users, who)).post("/holidays/", {
        "day": "2099-01-02", "kind": "holiday", "name": "元旦", "basis": "通知"})
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()


def test_the_admin_enters_a_day_and_the_publicity_count_follows(users, login, top_admin):
    client = login(top_admin)
    assert nth_working_day(date(2099, 1, 1), 5) == date(2099, 1, 7)
    response = client.post("/holidays/", {"day": "2099-01-02", "kind": "holiday", "name": "元旦",
                                          "basis": "国务院办公厅关于2099年部分节假日安排的通知"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2099")
    assert nth_working_day(date(2099, 1, 1), 5) == date(2099, 1, 8)  # Fri 2 is off now
    event = AuditEvent.objects.get(action="calendar.set")
    assert event.after["day"] == "2099-01-02" and event.after["kind"] == "holiday"
    text = client.get("/holidays/?year=2099").content.decode()
    assert "2099-01-02" in text and "手工录入" in text and "calendar-unknown" not in text


def test_every_problem_of_the_form_at_once(users, login, top_admin):
    response = login(top_admin).post("/holidays/", {"day": "2099-13-40", "kind": "closed", "basis": ""})
    assert response.status_code == 422
    text = response.content.decode()
    assert "日期" in text and "格式不对" in text
    assert "安排" in text
    assert "请填写依据" in text
    assert not CalendarDay.objects.exists()


def test_a_worked_day_must_be_a_weekend_day_and_control_characters_are_refused(users, top_admin):
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError) as caught:
        day_set(actor=actor_of(top_admin), day=date(2099, 1, 5), kind=DayKind.WORKDAY, basis="通知\x00")
    assert set(caught.value.message_dict) == {"kind", "basis"}
    assert not CalendarDay.objects.exists()


def test_entering_again_replaces_and_keeps_the_old_entry_and_withdraw_keeps_it_too(users, login, top_admin):
    client = login(top_admin)
    first = day_set(actor=actor_of(top_admin), day=date(2026, 2, 24), kind=DayKind.HOLIDAY, basis="补充通知")
    assert nth_working_day(date(2026, 2, 12), 5) == date(2026, 2, 26)  # corrects the library
    second = day_set(actor=actor_of(top_admin), day=date(2026, 2, 24), kind=DayKind.HOLIDAY, basis="更正")
    first.refresh_from_db()
    assert first.withdrawn_at is not None and second.withdrawn_at is None
    response = client.post(f"/holidays/{second.pk}/withdraw/")
    assert response.status_code == 302
    assert CalendarDay.objects.count() == 2 and not CalendarDay.objects.filter(withdrawn_at__isnull=True).exists()
    assert nth_working_day(date(2026, 2, 12), 5) == date(2026, 2, 25)  # the library again
    assert AuditEvent.objects.filter(action="calendar.withdraw", object_id=str(second.pk)).exists()
    text = client.get("/holidays/?year=2026").content.decode()
    assert "已撤销的录入（2）" in text


def test_withdrawing_is_for_the_top_org_admin_only(users, login, top_admin):
    row = day_set(actor=actor_of(top_admin), day=date(2099, 1, 2), kind=DayKind.HOLIDAY, basis="通知")
    for who in (users.outsider, users.admin):
        assert login(who).post(f"/holidays/{row.pk}/withdraw/").status_code == 403
    row.refresh_from_db()
    assert row.withdrawn_at is None


def test_a_bad_year_is_not_found(users, login):
    assert login(users.county).get("/holidays/?year=abc").status_code == 404
    assert login(users.county).get("/holidays/?year=1900").status_code == 404
