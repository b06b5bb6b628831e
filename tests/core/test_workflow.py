"""The workflow engine on its own: a small table over the archive model with hooks that record what they are
given, so each promise of ``run``, ``allowed`` and ``waiting_on`` is checked apart from any app's rules."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from tests.archives.factories import archive_input
from tests.conftest import actor_of
from warmth.archives.choices import ArchiveStatus as S
from warmth.archives.models import Archive, ArchiveStep
from warmth.archives.services import archive_file, step
from warmth.audit.models import AuditEvent
from warmth.audit.services import audit_record
from warmth.core.workflow import Action, Guard, Transition, Workflow
from warmth.orgs.permissions import Perm, role_labels

pytestmark = pytest.mark.django_db


def _not_on_sunday(t: Transition) -> str | None:
    return "今天休息，不能办理" if t.obj.remarks == "sunday" else None


def _apply_accept(t: Transition) -> None:
    t.obj.remarks = f"受理：{t.data.get('note', '')}"
    t.fields.append("remarks")


def _apply_then_fail(t: Transition) -> None:
    step(t.obj, actor=t.actor, action="half", from_status=t.before)  # a write that must not survive
    raise ValidationError({"note": "中途发现材料不全"})


def _access(actor, archive):
    if not actor.sees_org(archive.org):
        raise PermissionDenied("不在管辖范围内")


def _step(t: Transition) -> None:
    step(t.obj, actor=t.actor, action=t.action.name, from_status=t.before, note=t.note)


FLOW = Workflow(
    name="archive", model=Archive, access=_access, sees=lambda actor, a: actor.sees_org(a.org), step=_step,
    audit=audit_record, org_of=lambda a: a.org, roles=role_labels, audit_prefix="test", lock_related=("org",),
    state_label=lambda s: S(s).label,
    actions=[
        Action("accept", "受理", frozenset({S.DRAFT}), S.SUBMITTED, Perm.ARCHIVE_WRITE,
               guards=(Guard(_not_on_sunday),), apply=_apply_accept, forward=True),
        Action("bounce", "退回", frozenset({S.DRAFT, S.SUBMITTED}), S.REJECTED, Perm.ARCHIVE_APPROVE,
               reason="理由"),
        Action("approve", "审批", frozenset({S.SUBMITTED}), S.ACTIVE, Perm.ARCHIVE_APPROVE, forward=True),
        Action("broken", "半途而废", frozenset({S.DRAFT}), S.SUBMITTED, Perm.ARCHIVE_WRITE, apply=_apply_then_fail),
    ],
)


@pytest.fixture
def draft(users, tree):
    return archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input())


def _written(archive) -> tuple[int, int]:
    return (ArchiveStep.objects.filter(archive=archive).count(),
            AuditEvent.objects.filter(object_type="archive", object_id=str(archive.pk), action__startswith="test.")
            .count())


def test_run_changes_the_state_and_writes_one_step_and_one_audit_row(draft, users):
    steps_before, _ = _written(draft)
    t = FLOW.run(actor_of(users.owner), draft, "accept", note="材料齐全")
    draft.refresh_from_db()
    assert (draft.status, draft.remarks) == (S.SUBMITTED, "受理：材料齐全")
    s = ArchiveStep.objects.filter(archive=draft).latest("id")
    assert (s.action, s.from_status, s.to_status, s.actor_id) == ("accept", S.DRAFT, S.SUBMITTED, users.owner.pk)
    assert _written(draft) == (steps_before + 1, 1)
    event = AuditEvent.objects.get(action="test.accept")
    assert event.before == {"status": S.DRAFT} and event.after["status"] == S.SUBMITTED
    assert event.org_id == draft.org_id and t.before == S.DRAFT


def test_run_locks_the_row_and_saves_only_the_changed_columns(draft, users):
    calls = []
    original = QuerySet.select_for_update

    def spy(qs, *args, **kwargs):
        calls.append((qs.model, kwargs))
        return original(qs, *args, **kwargs)

    with mock.patch.object(QuerySet, "select_for_update", spy), CaptureQueriesContext(connection) as ctx:
        FLOW.run(actor_of(users.owner), draft, "accept")
    assert (Archive, {"of": ("self",)}) in calls
    updates = [q["sql"] for q in ctx.captured_queries
               if q["sql"].startswith("UPDATE") and "archives_archive" in q["sql"].split("SET")[0]]
    assert len(updates) == 1
    assigned = updates[0].split(" SET ")[1].split(" WHERE ")[0]
    assert '"status"' in assigned and '"remarks"' in assigned
    for column in ("id_number", "phone", "name", "address", "household_annual_income"):
        assert f'"{column}"' not in assigned
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in q["sql"] for q in ctx.captured_queries)


def test_a_wrong_state_is_refused_in_chinese_and_nothing_is_written(draft, users):
    before = _written(draft)
    with pytest.raises(ValidationError, match="当前为“草稿”，不能审批"):
        FLOW.run(actor_of(users.colleague), draft, "approve")
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and _written(draft) == before


def test_a_guard_refuses_with_its_reason_and_allowed_leaves_the_action_out(draft, users):
    Archive.objects.filter(pk=draft.pk).update(remarks="sunday")
    draft.refresh_from_db()
    owner = actor_of(users.owner)
    assert "accept" not in FLOW.allowed(owner, draft)
    assert FLOW.refusal(owner, draft, "accept") == "今天休息，不能办理"
    before = _written(draft)
    with pytest.raises(ValidationError, match="今天休息"):
        FLOW.run(owner, draft, "accept")
    assert _written(draft) == before


def test_a_required_reason_is_refused_when_blank_and_becomes_the_note(draft, users):
    reviewer = actor_of(users.colleague)
    before = _written(draft)
    with pytest.raises(ValidationError) as exc:
        FLOW.run(reviewer, draft, "bounce", reason="  ")
    assert exc.value.message_dict == {"reason": ["退回须填写理由"]}
    assert _written(draft) == before
    FLOW.run(reviewer, draft, "bounce", reason=" 不符合条件 ")
    assert ArchiveStep.objects.filter(archive=draft).latest("id").note == "不符合条件"


def test_permission_and_subtree_are_checked_by_run_and_by_allowed(draft, users):
    outsider, auditor = actor_of(users.outsider), actor_of(users.auditor)
    assert FLOW.allowed(outsider, draft) == [] and FLOW.allowed(auditor, draft) == []
    with pytest.raises(PermissionDenied, match="管辖范围"):
        FLOW.run(outsider, draft, "accept")
    with pytest.raises(PermissionDenied):
        FLOW.run(auditor, draft, "accept")
    assert FLOW.allowed(actor_of(users.owner), draft) == ["accept", "broken"]
    assert FLOW.allowed(actor_of(users.colleague), draft) == ["bounce"]


def test_a_failure_inside_the_action_leaves_nothing_behind(draft, users):
    before = _written(draft)
    with pytest.raises(ValidationError, match="材料不全"):
        FLOW.run(actor_of(users.owner), draft, "broken")
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and _written(draft) == before


def test_an_unknown_action_is_refused():
    with pytest.raises(ValidationError, match="未知的操作"):
        FLOW.run(None, Archive(), "fly")


def test_waiting_on_names_the_roles_at_the_org_and_none_when_at_rest(draft, tree):
    w = FLOW.waiting_on(draft)
    assert (w.org, w.action) == (tree.k1, "accept")
    assert str(w) == "待 武侯区总工会 经办人 受理"
    draft.status = S.SUBMITTED
    assert str(FLOW.waiting_on(draft)) == "待 武侯区总工会 审核人或领导 审批"
    draft.status = S.ACTIVE
    assert FLOW.waiting_on(draft) is None


def test_held_explains_why_the_role_that_acts_next_cannot_act_yet(draft, users):
    owner, reviewer = actor_of(users.owner), actor_of(users.colleague)
    assert FLOW.held(owner, draft) is None  # it may act: nothing to explain
    Archive.objects.filter(pk=draft.pk).update(remarks="sunday")
    draft.refresh_from_db()
    assert FLOW.held(owner, draft) == "今天休息，不能办理"
    assert FLOW.held(reviewer, draft) is None  # not this role's step
    assert FLOW.held(actor_of(users.outsider), draft) is None  # outside the subtree
