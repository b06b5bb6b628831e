"""Controls on visits (issue 19 item 9): a visit lies inside the campaign window (window refusals are in
tests/campaigns/test_services.py); a visit dated before the household was filed is an applicant's, kept but not
counted as a filed household's visit; the rows of a group's plan say visited or not yet."""

from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.campaigns import services as season
from warmth.visits import queries
from warmth.visits import services as visits
from warmth.visits.models import Visit

pytestmark = pytest.mark.django_db


def filed_on(archive, day: date) -> None:
    at = timezone.make_aware(datetime.combine(day, time(10)))
    Archive.objects.filter(pk=archive.pk).update(activated_at=at)
    archive.refresh_from_db()


def record(camp, archive, day, **kw):
    return visits.visit_record(actor=camp.planner, campaign=camp.campaign, kind="household", visited_on=day,
                               visitors="张三", archive=archive, **kw)


def test_a_visit_before_the_household_was_filed_is_an_applicants_and_not_counted(camp):
    a = camp.arch.worker1
    filed_on(a, date(2026, 1, 15))
    before = record(camp, a, date(2026, 1, 10))
    assert before.visit.applicant and before.visit.archive_id == a.pk
    assert before.warnings == ["该户于 2026-01-15 建档，走访日期 2026-01-10 在建档之前：记为对申请人的走访，"
                               "不计入在档户的走访"]
    cov = queries.coverage(camp.campaign.org, camp.campaign.year)
    assert cov.visited == 0 and a in queries.not_visited(camp.campaign.org, camp.campaign.year)
    # on the day it was filed (and after) the visit is a filed household's visit, and not a repeat of the first
    on_the_day = record(camp, a, date(2026, 1, 15))
    assert not on_the_day.visit.applicant and on_the_day.warnings == []
    cov = queries.coverage(camp.campaign.org, camp.campaign.year)
    assert (cov.visited, cov.visited_twice) == (1, 0)
    assert a not in queries.not_visited(camp.campaign.org, camp.campaign.year)


def test_a_household_still_being_filed_is_visited_as_an_applicant_and_other_states_are_refused(camp):
    a = camp.arch.worker2
    Archive.objects.filter(pk=a.pk).update(status=ArchiveStatus.PUBLICIZING)
    a.refresh_from_db()
    r = record(camp, a, camp.day)
    assert r.visit.applicant and "尚在建档中" in r.warnings[0]
    assert queries.coverage(camp.campaign.org, camp.campaign.year).visited == 0
    for status in (ArchiveStatus.DRAFT, ArchiveStatus.REJECTED, ArchiveStatus.EXITED):
        Archive.objects.filter(pk=a.pk).update(status=status)
        a.refresh_from_db()
        with pytest.raises(ValidationError, match="只能走访在档户或正在建档的申请人"):
            record(camp, a, camp.day)
    assert Visit.objects.count() == 1


def test_an_archive_filed_before_the_system_has_no_filing_day_to_precede(camp):
    a = camp.arch.worker1  # 在档 without an approval date (imported, or filed before the system)
    assert a.activated_at is None
    r = record(camp, a, camp.campaign.starts_on)
    assert not r.visit.applicant and queries.coverage(camp.campaign.org, camp.campaign.year).visited == 1


def test_every_mistake_of_a_visit_is_named_at_once(camp, tree):
    c = camp.campaign
    with pytest.raises(ValidationError) as exc:
        visits.visit_record(actor=camp.planner, campaign=c, kind="household", visited_on=date(2026, 3, 1),
                            visitors="", org=tree.k1, name="", recipient_kind="archive")
    assert {"visited_on", "visitors", "name", "recipient_kind"} <= set(exc.value.message_dict)


def test_plan_rows_say_visited_or_not_yet(client, camp, users, tree):
    c = camp.campaign
    g = season.group_create(actor=camp.planner, campaign=c, name="第一组", leaders="李丰海", liaison="邱军",
                            units=[tree.k1])
    for a in (camp.arch.model, camp.arch.worker1, camp.arch.migrant):
        season.household_plan(actor=camp.planner, group=g, archive=a)
    season.household_plan(actor=camp.planner, group=g, name="王劳模", unit="某厂", klass="model")
    dropped = season.household_plan(actor=camp.planner, group=g, name="赵某", unit="某厂", klass="worker")
    season.household_drop(actor=camp.planner, household=dropped, reason="已搬离")
    client.force_login(users.owner)

    def states() -> dict[str, str]:
        page = client.get(reverse("campaign_group", args=[g.pk])).content.decode()
        table = page.split('id="households"')[1].split("</table>")[0]
        out = {}
        for row in table.split("<tr")[2:]:
            cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
            out[cells[3] or cells[0]] = row.split('class="plan-state">')[1].split("</td>")[0]  # archive no. or name
        return out

    before = states()
    assert all("尚未走访" in before[n] for n in (camp.arch.model.archive_no, camp.arch.worker1.archive_no, "王劳模"))
    assert before["赵某"] == "已取消：已搬离"
    # a visit by this group, a visit by the county without a group, a visit of the named recipient
    visits.visit_record(actor=camp.k1, campaign=c, kind="household", visited_on=date(2026, 1, 20), visitors="李丰海",
                        group=g, archive=camp.arch.model)
    visits.visit_record(actor=camp.k1, campaign=c, kind="household", visited_on=date(2026, 1, 22), visitors="街道工会",
                        archive=camp.arch.worker1)
    visits.visit_record(actor=camp.k1, campaign=c, kind="household", visited_on=date(2026, 1, 21), visitors="李丰海",
                        group=g, org=tree.k1, name="王劳模", recipient_kind="hardship_model")
    void = visits.visit_record(actor=camp.k1, campaign=c, kind="household", visited_on=date(2026, 1, 23),
                               visitors="x", archive=camp.arch.migrant).visit
    visits.visit_void(actor=camp.k1, visit=void, reason="录错")
    after = states()
    assert "已走访" in after[camp.arch.model.archive_no] and "2026-01-20" in after[camp.arch.model.archive_no]
    assert "已走访" in after[camp.arch.worker1.archive_no] and "街道工会" in after[camp.arch.worker1.archive_no]
    assert "已走访" in after["王劳模"] and "2026-01-21" in after["王劳模"]
    assert "尚未走访" in after[camp.arch.migrant.archive_no]  # a voided visit is no visit
    # the API's households say the same
    rows = client.get(f"/api/campaigns/{c.pk}").json()["groups"][0]["households"]
    by = {r["archive_no"] or r["name"]: (r["visited"], r["visited_on"]) for r in rows}
    assert by[camp.arch.model.archive_no] == (True, "2026-01-20") and by["王劳模"] == (True, "2026-01-21")
    assert by[camp.arch.migrant.archive_no] == (False, None) and by["赵某"] == (False, None)
    # the outsider does not reach the group's page
    client.force_login(users.outsider)
    assert client.get(reverse("campaign_group", args=[g.pk])).status_code == 404
