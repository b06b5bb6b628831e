"""The lifecycle: every legal step leaves a timeline row and an audit row; every illegal one is refused."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.archives.factories import archive_input
from tests.conftest import actor_of
from warmth.archives import lifecycle as lc
from warmth.archives.choices import ArchiveStatus as S
from warmth.archives.models import Archive, ArchivePerson, ArchiveStep
from warmth.archives.services import archive_file
from warmth.audit.models import AuditEvent

MONDAY = date(2025, 12, 1)


def call(action, actor, archive, today=None):
    """Run one lifecycle action with the arguments it needs."""
    today = today or MONDAY + timedelta(days=30)
    fn = {
        "submit": lambda: lc.archive_submit(actor=actor, archive=archive),
        "accept": lambda: lc.archive_accept(actor=actor, archive=archive),
        "return": lambda: lc.archive_return(actor=actor, archive=archive, reason="材料不全"),
        "verify": lambda: lc.archive_verify(actor=actor, archive=archive, visited_on=MONDAY, visitors="张三",
                                            findings="属实", publicity_start=MONDAY, today=MONDAY),
        "end_publicity": lambda: lc.archive_end_publicity(actor=actor, archive=archive, today=today),
        "approve": lambda: lc.archive_approve(actor=actor, archive=archive),
        "reject": lambda: lc.archive_reject(actor=actor, archive=archive, reason="不符合条件"),
        "exit_request": lambda: lc.archive_exit_request(actor=actor, archive=archive, reason="脱困"),
        "exit_cancel": lambda: lc.archive_exit_cancel(actor=actor, archive=archive, reason="误操作"),
        "exit_approve": lambda: lc.archive_exit_approve(actor=actor, archive=archive, publicity_start=MONDAY,
                                                        today=MONDAY),
        "exit_finalize": lambda: lc.archive_exit_finalize(actor=actor, archive=archive, today=today),
    }[action]
    return fn()


def put_in(archive, status):
    Archive.objects.filter(pk=archive.pk).update(status=status, publicity_start=MONDAY,
                                                 publicity_end=MONDAY + timedelta(days=4))
    archive.refresh_from_db()


def test_the_full_path_to_active_and_out_leaves_a_step_and_an_audit_row_each(users, tree, filed):
    handler, reviewer = actor_of(users.county), actor_of(users.colleague)
    path = [("submit", handler, S.SUBMITTED), ("accept", reviewer, S.VERIFYING), ("verify", handler, S.PUBLICIZING),
            ("end_publicity", handler, S.APPROVING), ("approve", reviewer, S.ACTIVE),
            ("exit_request", handler, S.EXIT_REVIEW), ("exit_approve", reviewer, S.EXIT_PUBLICIZING),
            ("exit_finalize", reviewer, S.EXITED)]
    for action, actor, expected in path:
        archive = call(action, actor, filed)
        assert archive.status == expected, action
        assert ArchiveStep.objects.filter(archive=filed, action=action, to_status=expected).count() == 1
        assert AuditEvent.objects.filter(action=f"archive.{action}", object_id=str(filed.pk)).count() == 1
    archive.refresh_from_db()
    assert archive.retain_until.year - archive.exited_at.year >= 10 and archive.followup_date is not None
    assert not ArchivePerson.objects.filter(archive=archive, live=True).exists()


@pytest.mark.parametrize("action", sorted(lc.TRANSITIONS))
def test_every_action_is_refused_from_every_status_it_does_not_start_from(users, filed, action):
    starts = lc.TRANSITIONS[action][0]
    perm_actor = actor_of(users.colleague) if lc.TRANSITIONS[action][2].value.endswith("approve") else actor_of(
        users.county)
    for status in S.values:
        if status in starts:
            continue
        put_in(filed, status)
        steps = ArchiveStep.objects.count()
        with pytest.raises(ValidationError, match="不能"):
            call(action, perm_actor, filed)
        assert Archive.objects.get(pk=filed.pk).status == status
        assert ArchiveStep.objects.count() == steps


def test_the_publicity_lasts_five_working_days(users, filed):
    handler = actor_of(users.county)
    for action, actor in (("submit", handler), ("accept", actor_of(users.colleague))):
        call(action, actor, filed)
    wednesday = date(2025, 12, 3)
    lc.archive_verify(actor=handler, archive=filed, visited_on=MONDAY, visitors="张三", findings="属实",
                      publicity_start=wednesday, today=wednesday)
    filed.refresh_from_db()
    assert filed.publicity_end == date(2025, 12, 9)  # Wed Thu Fri, (weekend), Mon Tue
    with pytest.raises(ValidationError, match="期满"):
        lc.archive_end_publicity(actor=handler, archive=filed, today=date(2025, 12, 9))
    lc.archive_end_publicity(actor=handler, archive=filed, today=date(2025, 12, 10))


def test_an_open_objection_holds_the_publicity_until_resolved(users, filed):
    handler, reviewer = actor_of(users.county), actor_of(users.colleague)
    for action, actor in (("submit", handler), ("accept", reviewer), ("verify", handler)):
        call(action, actor, filed)
    obj = lc.objection_record(actor=handler, archive=filed, received_on=MONDAY, content="反映其有经营收入",
                              raised_by="邻居")
    with pytest.raises(ValidationError, match="异议尚未处理"):
        call("end_publicity", handler, filed)
    lc.objection_resolve(actor=reviewer, objection=obj, resolution="核实无经营收入")
    assert call("end_publicity", handler, filed).status == S.APPROVING


def test_the_filer_cannot_approve_their_own_archive(users, tree):
    from tests.conftest import make_user
    from warmth.orgs.models import Membership, Role

    both = make_user("both", tree.k1, Role.HANDLER)
    a = archive_file(actor=actor_of(both), org=tree.k1, data=archive_input())
    put_in(a, S.APPROVING)
    Membership.objects.filter(user=both).update(role=Role.REVIEWER)
    with pytest.raises(PermissionDenied, match="不能审批自己"):
        lc.archive_approve(actor=actor_of(both), archive=a)


def test_a_handler_cannot_approve_and_an_outsider_cannot_touch(users, filed):
    put_in(filed, S.APPROVING)
    with pytest.raises(PermissionDenied):
        lc.archive_approve(actor=actor_of(users.county), archive=filed)
    with pytest.raises(Http404):
        lc.archive_approve(actor=actor_of(users.outsider), archive=filed)
    assert Archive.objects.get(pk=filed.pk).status == S.APPROVING


def test_returning_and_rejecting_need_a_reason(users, filed):
    put_in(filed, S.APPROVING)
    with pytest.raises(ValidationError, match="原因"):
        lc.archive_return(actor=actor_of(users.colleague), archive=filed, reason=" ")
    with pytest.raises(ValidationError, match="原因"):
        lc.archive_reject(actor=actor_of(users.colleague), archive=filed, reason="")


def test_a_rejected_or_exited_household_can_be_filed_again(users, tree, make_active):
    a = make_active()
    reviewer, handler = actor_of(users.colleague), actor_of(users.county)
    lc.archive_exit_request(actor=handler, archive=a, reason="脱困", note="已就业")
    lc.archive_exit_approve(actor=reviewer, archive=a, publicity_start=MONDAY, today=MONDAY)
    lc.archive_exit_finalize(actor=reviewer, archive=a, today=MONDAY + timedelta(days=14))
    again = archive_file(actor=handler, org=tree.k1, data=archive_input(id_number=a.id_number, member_count=0))
    assert again.pk != a.pk and Archive.objects.get(pk=a.pk).status == S.EXITED  # the old one stays readable


def test_an_exit_needs_a_listed_reason(users, make_active):
    with pytest.raises(ValidationError, match="退档原因"):
        lc.archive_exit_request(actor=actor_of(users.county), archive=make_active(), reason="不想要了")


def test_a_temporary_archive_is_promoted_once_active(users, tree, make_active):
    a = make_active()
    with pytest.raises(ValidationError, match="不是临时"):
        lc.archive_promote(actor=actor_of(users.colleague), archive=a)
    Archive.objects.filter(pk=a.pk).update(is_temporary=True)
    assert not lc.archive_promote(actor=actor_of(users.colleague), archive=a).is_temporary


def test_a_transfer_moves_the_archive_when_the_receiving_org_accepts(users, tree, make_active):
    from tests.conftest import make_user
    from warmth.orgs.models import Role

    a = make_active()
    t = lc.transfer_request(actor=actor_of(users.county), archive=a, to_org=tree.k3, reason="户籍迁至海口")
    with pytest.raises(PermissionDenied):
        lc.transfer_decide(actor=actor_of(users.colleague), transfer=t, accept=True)  # 成都 cannot accept for 海南
    hn_reviewer = actor_of(make_user("hn_rev", tree.p2, Role.REVIEWER))
    lc.transfer_decide(actor=hn_reviewer, transfer=t, accept=True)
    assert Archive.objects.get(pk=a.pk).org == tree.k3
    assert ArchiveStep.objects.filter(archive=a, action="transfer_in").exists()


def test_the_publicity_cannot_start_before_the_home_visit(users, filed):
    call("submit", actor_of(users.county), filed)
    call("accept", actor_of(users.colleague), filed)
    with pytest.raises(ValidationError, match="不能早于入户核查"):
        lc.archive_verify(actor=actor_of(users.county), archive=filed, visited_on=MONDAY, visitors="张三",
                          findings="属实", publicity_start=MONDAY - timedelta(days=1), today=MONDAY)


def test_an_exited_archive_cannot_be_received_by_a_transfer(users, tree, make_active):
    from tests.conftest import make_user
    from warmth.orgs.models import Role

    a = make_active()
    t = lc.transfer_request(actor=actor_of(users.county), archive=a, to_org=tree.k3, reason="迁居")
    Archive.objects.filter(pk=a.pk).update(status=S.EXITED)
    with pytest.raises(ValidationError, match="只能接收在档"):
        lc.transfer_decide(actor=actor_of(make_user("hn_rev", tree.p2, Role.REVIEWER)), transfer=t, accept=True)


def test_the_publicity_skips_statutory_holidays_and_counts_exchanged_weekends(users, filed):
    """Spring Festival 2026 (2月15日至23日放假, 2月14日 and 28日 worked): a 公示 started on Thu 12 February ends on
    Wed 25 February, not on Wed 18 as weekends alone would give."""
    handler = actor_of(users.county)
    for action, actor in (("submit", handler), ("accept", actor_of(users.colleague))):
        call(action, actor, filed)
    thursday = date(2026, 2, 12)
    lc.archive_verify(actor=handler, archive=filed, visited_on=thursday, visitors="张三", findings="属实",
                      publicity_start=thursday, today=thursday)
    filed.refresh_from_db()
    assert filed.publicity_end == date(2026, 2, 25)  # Thu 12, Fri 13, Sat 14 (调休), Tue 24, Wed 25
    with pytest.raises(ValidationError, match="期满"):
        lc.archive_end_publicity(actor=handler, archive=filed, today=date(2026, 2, 25))
