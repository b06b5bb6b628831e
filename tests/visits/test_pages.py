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
