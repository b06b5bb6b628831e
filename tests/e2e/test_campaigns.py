"""送温暖活动 in a real browser: 成都's handler plans a visit group for 武侯, fills its plan until the 003 rule
holds, records visits from the plan's links, and sees coverage move on the campaign page and in the drill-down."""

from tests.campaigns.conftest import camp  # noqa: F401 (fixture)
from tests.e2e.test_archives import log_in
from warmth.campaigns.models import VisitGroup
from warmth.visits.models import Visit


def _figures(page) -> tuple[str, str, str, str]:
    return tuple(page.inner_text(f"#cov-{k}") for k in ("filed", "visited", "missing", "twice"))


def test_plan_a_group_record_visits_and_see_coverage_move(live_server, page, shot, camp, tree):  # noqa: F811
    c = camp.campaign
    log_in(page, live_server, "owner")
    page.goto(f"{live_server.url}/campaigns/{c.pk}/")
    assert _figures(page) == ("5", "0", "5", "0")
    assert "还没有慰问组" in page.inner_text("#groups")

    page.click("#group-new")
    page.fill("#g-name", "第一组")
    page.fill("#g-leaders", "王主席")
    page.fill("#g-liaison", "李联络")
    page.fill("#g-units", tree.k1.code)
    page.check("input[name=departments][value=保障部]")
    page.click("#group-submit")
    page.wait_for_selector("#rule")
    g = VisitGroup.objects.get()
    assert page.locator("#rule li.bad").count() == 4  # an empty plan fails every clause
    for a in (camp.arch.model, camp.arch.migrant, camp.arch.worker1):
        page.fill("#p-archive", a.archive_no)
        page.click("#plan-submit")
        page.wait_for_selector(f"#households >> text={a.archive_no}")
    assert "不少于 4 户：现有 3 户 ✗" in page.inner_text("#rule")
    page.fill("#p-archive", camp.arch.worker2.archive_no)
    page.click("#plan-submit")
    page.wait_for_selector(f"#households >> text={camp.arch.worker2.archive_no}")
    assert page.locator("#rule li.ok").count() == 4 and page.locator("#rule li.bad").count() == 0
    shot(page, "campaign-group-plan")

    # visits from the plan's links, the first household twice
    for a in (camp.arch.model, camp.arch.worker1, camp.arch.model):
        page.goto(f"{live_server.url}/campaigns/groups/{g.pk}/")
        page.locator("#households tr", has_text=a.archive_no).get_by_text("记录走访").click()
        page.wait_for_selector("#visit-form")
        assert page.input_value("#v-archive") == a.archive_no and page.input_value("#v-group") == str(g.pk)
        page.fill("#v-day", "2026-01-20")
        page.fill("#v-visitors", "王主席、李联络")
        page.fill("#v-handed", "米、油、慰问信")
        page.click("#visit-submit")
        page.wait_for_selector("#group-visits")
    assert "已走访过该户" in page.inner_text(".messages")
    assert Visit.objects.filter(group=g).count() == 3
    # the plan's rows say visited (when, by whom) or not yet
    page.goto(f"{live_server.url}/campaigns/groups/{g.pk}/")
    row = page.locator("#households tr", has_text=camp.arch.model.archive_no).inner_text()
    assert "已走访" in row and "2026-01-20" in row and "王主席" in row
    assert "尚未走访" in page.locator("#households tr", has_text=camp.arch.worker2.archive_no).inner_text()
    shot(page, "campaign-group-plan-visited")

    page.goto(f"{live_server.url}/campaigns/{c.pk}/")
    assert _figures(page) == ("5", "2", "3", "1")
    assert "符合" in page.inner_text("#groups")
    shot(page, "campaign-detail")
    page.click(f"#coverage-table >> text={tree.k1.name}")
    page.wait_for_url(f"**org={tree.k1.code}*")
    assert _figures(page) == ("4", "2", "2", "1")
    shot(page, "campaign-coverage-wuhou")
    assert page.console_errors == []
