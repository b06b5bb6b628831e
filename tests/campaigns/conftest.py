from datetime import date
from types import SimpleNamespace

import pytest

from tests.archives.factories import archive_input
from tests.conftest import actor_of, make_user
from tests.funds.conftest import fin  # noqa: F401 (re-exported fixture)
from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.archives.services import archive_file
from warmth.campaigns import services
from warmth.orgs.models import Role


def quick_active(actor, org, **fields):
    """An archive filed by ``actor`` and set 在档 directly (the archive lifecycle has its own tests)."""
    a = archive_file(actor=actor, org=org, data=archive_input(member_count=0, **fields))
    Archive.objects.filter(pk=a.pk).update(status=ArchiveStatus.ACTIVE)
    a.refresh_from_db()
    return a


@pytest.fixture
def camp(users, tree):
    """成都's campaign of season 2025 (the 两节 of 2026), its planner (成都 handler), 武侯's handler, a 海南
    outsider, and archives of each class in 武侯 and 锦江."""
    c1 = actor_of(users.owner)
    campaign = services.campaign_create(actor=c1, org=tree.c1, year=2025, theme="两节送温暖活动",
                                        doc_no="成工发〔2025〕30号")
    k1 = actor_of(users.county)
    k2_handler = make_user("k2_handler", tree.k2, Role.HANDLER)
    hn = actor_of(users.outsider)
    arch = SimpleNamespace(
        model=quick_active(c1, tree.k1, model_worker_type="省部级劳模"),
        migrant=quick_active(c1, tree.k1, identity="农民工"),
        worker1=quick_active(c1, tree.k1),
        worker2=quick_active(c1, tree.g1),
        k2_worker=quick_active(c1, tree.k2),
    )
    return SimpleNamespace(campaign=campaign, planner=c1, k1=k1, k2=actor_of(k2_handler), outsider=hn,
                           leader=actor_of(users.leader), auditor=actor_of(users.auditor), arch=arch,
                           day=date(2026, 1, 20))
