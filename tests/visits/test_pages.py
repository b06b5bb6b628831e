"""The season's pages show what the visits app plugs into them (campaigns.extensions): coverage and money on the
campaign's page and API detail, the group's visits on the group's page."""

from django.urls import reverse

from warmth.campaigns import services as season
from warmth.visits import services as visits


def test_the_season_pages_show_what_the_visits_app_registers(client, camp, users, tree):
    c = camp.campaign
    g = season.group_create(actor=camp.planner, campaign=c, name="第一组", leaders="李丰海", liaison="邱军",
                            units=[tree.k1])
    visits.visit_record(actor=camp.k1, campaign=c, kind="household", visited_on=camp.day, visitors="李丰海",
                        group=g, archive=camp.arch.worker1, handed_over="米面油")
    client.force_login(users.owner)
    group_page = client.get(reverse("campaign_group", args=[g.pk])).content.decode()
    assert camp.arch.worker1.name in group_page.split('id="group-visits"')[1]
    page = client.get(reverse("campaign_detail", args=[c.pk])).content.decode()
    assert 'id="cov-visited">1<' in page and 'id="money"' in page
    detail = client.get(f"/api/campaigns/{c.pk}").json()
    assert detail["coverage"]["visited"] == 1 and detail["money"]["total"] == "0.00"
    assert list(detail)[-3:] == ["coverage", "money", "groups"]  # the figures come before the groups, as before


def test_the_season_coverage_page_of_any_org_counts_every_level_s_campaign(client, camp, users, tree):
    """/campaigns/coverage/?org=&year=: a province without a campaign of its own, a county with one of its own
    whose visits count in the city's coverage too; an outsider gets 404; the export names the stated day."""
    from tests.campaigns.test_views import sheet

    county = season.campaign_create(actor=camp.k1, org=tree.k1, year=2025, theme="武侯区两节送温暖")
    visits.visit_record(actor=camp.k1, campaign=county, kind="household", visited_on=camp.day, visitors="x",
                        archive=camp.arch.worker1)
    visits.visit_record(actor=camp.k1, campaign=camp.campaign, kind="household", visited_on=camp.day, visitors="x",
                        archive=camp.arch.model)
    url = reverse("season_coverage")
    client.force_login(users.leader)  # 四川
    page = client.get(url, {"org": tree.p1.code, "year": 2025}).content.decode()
    assert 'id="cov-visited">2<' in page and 'id="cov-filed">5<' in page and 'id="cov-as-of">' in page
    listed = page.split('id="cov-campaigns"')[1]
    assert "成都市总工会" in listed and "武侯区总工会" in listed
    page = client.get(url, {"org": tree.k1.code, "year": 2025}).content.decode()
    assert camp.arch.migrant.archive_no in page.split('id="missing"')[1]  # down to the household
    assert camp.arch.worker1.archive_no not in page.split('id="missing"')[1]  # visited in 武侯's own campaign
    # the campaign's page counts the season's visits too, whichever campaign they were recorded in
    page = client.get(reverse("campaign_coverage", args=[camp.campaign.pk]), {"org": tree.c1.code}).content.decode()
    assert 'id="cov-visited">2<' in page
    # no season given: the default season; the campaign list links there
    assert 'id="cov-visited">2<' in client.get(url, {"org": tree.p1.code}).content.decode()
    assert f'id="season-coverage" href="{url}"' in client.get(reverse("campaign_list")).content.decode()
    client.force_login(users.auditor)  # 经审 of 四川 may export, and the file says on which day
    r = client.get(url, {"org": tree.c1.code, "year": 2025, "format": "xlsx"})
    title = sheet(r.content)[0][0]
    assert r.status_code == 200 and "在档截至" in title and "2025年度" in title
    client.force_login(users.outsider)  # 海南
    assert client.get(url, {"org": tree.c1.code, "year": 2025}).status_code == 404
    assert client.get(url, {"org": tree.p1.code}).status_code == 404
    client.force_login(users.leader)  # 领导 may read coverage but not export the names
    assert client.get(url, {"org": tree.k1.code, "year": 2025, "format": "xlsx"}).status_code == 403
    client.logout()
    assert client.get(url, {"org": tree.c1.code}).status_code == 302


def test_the_season_coverage_api_at_any_level(client, camp, users, tree):
    from tests.campaigns.test_api import get

    visits.visit_record(actor=camp.k1, campaign=camp.campaign, kind="household", visited_on=camp.day, visitors="x",
                        archive=camp.arch.model)
    data = get(client, f"/api/campaigns/coverage?org={tree.p1.code}&year=2025", users.leader).json()
    assert (data["code"], data["year"], data["filed"], data["visited"], data["not_visited"]) == (
        tree.p1.code, 2025, 5, 1, 4)
    assert data["as_of"] and [c["org"] for c in data["campaigns"]] == [tree.c1.code]
    assert {r["code"]: r["visited"] for r in data["children"]}[tree.c1.code] == 1
    assert get(client, "/api/campaigns/coverage", users.leader).json()["year"] == 2025  # the default season
    assert get(client, f"/api/campaigns/coverage?org={tree.p1.code}&year=1800", users.leader).status_code == 422
    assert get(client, f"/api/campaigns/coverage?org={tree.c1.code}&year=2025", users.outsider).status_code == 404
