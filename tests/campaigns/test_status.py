"""A campaign's status follows its dates: 筹备中 before its window, 进行中 inside it, 已结束 after it. Nothing
stores it, so a finished campaign can no longer say 筹备中."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.campaigns.test_api import get
from warmth.campaigns import services
from warmth.campaigns.choices import CampaignStatus

pytestmark = pytest.mark.django_db


def test_the_status_is_read_from_the_window(camp):
    c = camp.campaign
    assert (c.starts_on, c.ends_on) == (date(2026, 1, 1), date(2026, 2, 17))
    assert c.status_on(date(2025, 12, 31)) == CampaignStatus.PLANNING
    assert c.status_on(date(2026, 1, 1)) == c.status_on(date(2026, 2, 17)) == CampaignStatus.OPEN
    assert c.status_on(date(2026, 2, 18)) == CampaignStatus.CLOSED
    assert c.status == c.status_on(timezone.localdate())


def test_pages_and_the_api_show_the_status_of_today(camp, client, users):
    today = timezone.localdate()
    c = services.campaign_update(actor=camp.planner, campaign=camp.campaign,
                                 starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=1),
                                 focus_from=None, focus_to=None)
    client.force_login(users.owner)
    assert "已结束" in client.get(reverse("campaign_detail", args=[c.pk])).content.decode()
    assert "已结束" in client.get(reverse("campaign_list")).content.decode()
    c = services.campaign_update(actor=camp.planner, campaign=c, ends_on=today + timedelta(days=5))
    assert "进行中" in client.get(reverse("campaign_detail", args=[c.pk])).content.decode()
    assert get(client, f"/api/campaigns/{c.pk}", users.owner).json()["status"] == CampaignStatus.OPEN
    c = services.campaign_update(actor=camp.planner, campaign=c, starts_on=today + timedelta(days=1),
                                 ends_on=today + timedelta(days=40))
    assert "筹备中" in client.get(reverse("campaign_detail", args=[c.pk])).content.decode()


def test_the_status_cannot_be_set_by_hand(camp):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="不能修改"):
        services.campaign_update(actor=camp.planner, campaign=camp.campaign, status=CampaignStatus.CLOSED)
