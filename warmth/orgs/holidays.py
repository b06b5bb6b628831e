"""节假日安排: the page where the holiday calendar used for 公示 working days is seen, and completed by hand.

Everyone signed in sees a year's holidays and worked weekend days, each with its source (节假日库 = the bundled
library, 手工录入 = entered here). Only a system admin of the top org (the calendar is national) enters a day (date,
放假 or 调休上班, the festival, the basis: the State Council's notice) or withdraws one; a withdrawn entry is kept with
who and when. Each change is one transaction with an audit row.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from warmth.audit.services import audit_record
from warmth.core.models import CalendarDay, DayKind
from warmth.core.validation import DateField, Errors, TextField
from warmth.core.workdays import Calendar, library_days, library_knows
from warmth.orgs.access import Actor
from warmth.orgs.decorators import actor_required
from warmth.orgs.permissions import Perm

EARLIEST, LATEST = date(2004, 1, 1), date(2100, 12, 31)


def is_calendar_admin(actor: Actor | None) -> bool:
    return bool(actor and actor.can(Perm.ORG_MANAGE) and actor.org.parent_id is None)


def _require_admin(actor: Actor) -> None:
    if not is_calendar_admin(actor):
        raise PermissionDenied("只有最上级工会的系统管理员可以录入节假日安排。")


def day_set(*, actor: Actor, day: date, kind: str, name: str = "", basis: str = "") -> CalendarDay:
    """Enter one day (replacing the live entry of the same day, which is withdrawn and kept)."""
    _require_admin(actor)
    e = Errors()
    if not isinstance(day, date) or not EARLIEST <= day <= LATEST:
        e.add("day", "日期须在 2004 年至 2100 年之间")
    if kind not in DayKind.values:
        e.add("kind", "请选择安排：放假或调休上班")
    name = e.text("name", name, label="节日", max_length=20)
    basis = e.text("basis", basis, label="依据", max_length=100, required=True)
    if kind == DayKind.WORKDAY and isinstance(day, date) and day.weekday() < 5:
        e.add("kind", "调休上班日应是周六或周日")
    e.raise_if_any()
    now = timezone.now()
    with transaction.atomic():
        old = CalendarDay.objects.select_for_update().filter(day=day, withdrawn_at__isnull=True).first()
        if old is not None:
            old.withdrawn_at, old.withdrawn_by = now, actor.user
            old.save(update_fields=["withdrawn_at", "withdrawn_by"])
        try:
            with transaction.atomic():
                row = CalendarDay.objects.create(day=day, kind=kind, name=name, basis=basis, set_by=actor.user)
        except IntegrityError:
            raise ValidationError({"day": "这一天刚被别人录入，请刷新后再试"}) from None
        audit_record(actor=actor, action="calendar.set", object_type="calendar_day", object_id=row.pk,
                     before={"kind": old.kind, "basis": old.basis} if old else None,
                     after={"day": day.isoformat(), "kind": kind, "name": name, "basis": basis})
    return row


def day_withdraw(*, actor: Actor, row: CalendarDay) -> CalendarDay:
    _require_admin(actor)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().get(pk=row.pk)
        if row.withdrawn_at is None:
            row.withdrawn_at, row.withdrawn_by = timezone.now(), actor.user
            row.save(update_fields=["withdrawn_at", "withdrawn_by"])
            audit_record(actor=actor, action="calendar.withdraw", object_type="calendar_day", object_id=row.pk,
                         before={"day": row.day.isoformat(), "kind": row.kind, "basis": row.basis})
    return row


class DayForm(forms.Form):
    day = DateField(label="日期", earliest=EARLIEST, future_days=365 * 80,
                    widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="安排", choices=DayKind.choices)
    name = TextField(label="节日", max_length=20, required=False)
    basis = TextField(label="依据（国务院办公厅通知的名称或文号）", max_length=100)


def _year(raw: str) -> int:
    today = timezone.localdate()
    if raw.isascii() and raw.isdigit() and 2004 <= int(raw) <= 2100:
        return int(raw)
    if raw:
        raise Http404("年份不对")
    return today.year


@actor_required()
def holidays(request):
    actor = request.actor
    year = _year((request.GET.get("year") or "").strip())
    admin = is_calendar_admin(actor)
    form = DayForm(initial={"kind": DayKind.HOLIDAY})
    status = 200
    if request.method == "POST":
        _require_admin(actor)
        form = DayForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                row = day_set(actor=actor, day=d["day"], kind=d["kind"], name=d["name"], basis=d["basis"])
            except ValidationError as exc:
                for field, msgs in exc.message_dict.items():
                    for m in msgs:
                        form.add_error(field if field in form.fields else None, m)
            else:
                messages.success(request, f"已录入 {row.day:%Y-%m-%d} {row.get_kind_display()}。")
                return redirect(f"{request.path}?year={row.day.year}")
        status = 422
    entered = list(CalendarDay.objects.filter(day__year=year).select_related("set_by", "withdrawn_by")
                   .order_by("day", "set_at"))
    live = {r.day: r for r in entered if r.withdrawn_at is None}
    calendar = Calendar.load()
    days = []
    for day, working, name in library_days(year):
        r = live.pop(day, None)
        days.append({"day": day, "working": calendar.is_working_day(day), "name": r.name if r else name,
                     "source": "手工录入" if r else "节假日库", "row": r,
                     "changed": r is not None and (r.kind == DayKind.WORKDAY) != working})
    for day, r in live.items():
        days.append({"day": day, "working": r.kind == DayKind.WORKDAY, "name": r.name, "source": "手工录入",
                     "row": r, "changed": False})
    days.sort(key=lambda x: x["day"])
    for x in days:
        x["weekday"] = "一二三四五六日"[x["day"].weekday()]
    return render(request, "orgs/holidays.html", {
        "year": year, "years": range(max(2004, year - 3), min(2100, year + 2) + 1), "days": days,
        "known": calendar.known(year), "library": library_knows(year), "admin": admin, "form": form,
        "withdrawn": [r for r in entered if r.withdrawn_at is not None]}, status=status)


@require_POST
@actor_required()
def holiday_withdraw(request, pk):
    _require_admin(request.actor)
    row = CalendarDay.objects.filter(pk=pk).first()
    if row is None:
        raise Http404("没有这条记录")
    day_withdraw(actor=request.actor, row=row)
    messages.success(request, f"已撤销 {row.day:%Y-%m-%d} 的手工录入，这一天按节假日库（或周末）计算。")
    return redirect(f"/holidays/?year={row.day.year}")
