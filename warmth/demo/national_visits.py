"""National-scale demo 送温暖活动 (``seed-demo --scale national`` only): one season per province, its counties'
household visits to about a third of the province's active archives and their enterprise visits, written with
``COPY``. The ordinary campaign demo (成都's season, through the services) runs before this at every scale;
what this adds is volume, so the coverage page and the statistics forms have a country's worth of visits.

Each visit row is what ``visit_record`` leaves for a household with an archive (the archive's name and ID
number copied, the ID sealed for this table's own column) or for an enterprise; visits are dated inside the
season's window."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.campaigns import services
from warmth.campaigns.choices import DEFAULT_DUTIES, VisitKind
from warmth.campaigns.models import Campaign
from warmth.core import bulkcopy
from warmth.demo.pipeline import DemoContext
from warmth.orgs.access import actor_for
from warmth.orgs.models import Org, OrgLevel, User
from warmth.payments.choices import RecipientKind
from warmth.visits.models import Visit

VISIT_SHARE = 0.35  # of a province's active archives
ENTERPRISES_PER_COUNTY = 4


def counties_of(province: Org) -> dict[int, int]:
    """Each org of the province's subtree → the county it sits in (an org at county level or above: itself)."""
    rows = list(Org.objects.filter(path__startswith=province.path).values_list("id", "parent_id", "level"))
    parent = {pk: up for pk, up, _ in rows}
    level = {pk: lv for pk, _, lv in rows}
    top = (OrgLevel.COUNTY, OrgLevel.CITY, OrgLevel.PROVINCE)
    out: dict[int, int] = {}
    for pk in parent:
        at = pk
        while level[at] not in top and parent.get(at) in level:
            at = parent[at]
        out[pk] = at
    return out


def seed_national_visits(ctx: DemoContext) -> None:
    if ctx.scale == "national":
        load(ctx)


def load(ctx: DemoContext) -> None:
    """The provinces' seasons and visits (any scale: the tests run it on the small demo)."""
    root = actor_for(User.objects.get(username="root"))
    rng, year = ctx.rng, ctx.year
    now = timezone.now()
    table = bulkcopy.Table(Visit, pk=False)
    made = {"campaigns": 0, "household": 0, "enterprise": 0}
    campaigns = ctx.made.setdefault("national_campaigns", {})
    for province in Org.objects.filter(level=OrgLevel.PROVINCE, is_active=True).order_by("path"):
        if Campaign.objects.filter(org=province, year=year).exists():
            continue  # a re-run: this province's season is already there
        with transaction.atomic():
            # what campaign_create makes (the default window, duties and recipient kinds), by the root account
            c = Campaign.objects.create(org=province, year=year, theme="两节送温暖活动",
                                        doc_no=f"{province.name[:2]}工发〔{year}〕1号",
                                        recipient_kinds=list(RecipientKind.values), duties=dict(DEFAULT_DUTIES),
                                        created_by=root.user,
                                        **services.default_window(year))
            campaigns[province.pk] = c.pk
            made["campaigns"] += 1
            span = max((c.ends_on - c.starts_on).days, 1)
            county_of = counties_of(province)
            row = table.maker(campaign_id=c.pk, created_by_id=root.user.pk, created_at=now, voided=False,
                              outside_window=False, note="", findings="", void_reason="")
            rows = []
            archives = (Archive.objects.filter(org__path__startswith=province.path, status=ArchiveStatus.ACTIVE)
                        .values_list("pk", "org_id", "name", "id_number", "id_number_bidx").order_by("id"))
            for pk, org_id, name, id_number, id_bidx in archives.iterator(chunk_size=5000):
                if rng.random() >= VISIT_SHARE:
                    continue
                rows.append(row({
                    "org_id": org_id, "kind": VisitKind.HOUSEHOLD,
                    "visited_on": c.starts_on + timedelta(days=rng.randrange(span)),
                    "visitors": "县总工会慰问组", "archive_id": pk, "recipient_kind": RecipientKind.ARCHIVE,
                    "name": name, "id_number": id_number, "id_number_bidx": id_bidx,
                    "handed_over": rng.choice(("慰问金 500 元", "慰问金 800 元", "米、油、慰问金 300 元")),
                    "frontline_greeted": 0, "enterprise": "", "enterprise_in_difficulty": False}))
            made["household"] += len(rows)
            for county in sorted(set(county_of.values())):
                for i in range(ENTERPRISES_PER_COUNTY):
                    rows.append(row({
                        "org_id": county, "kind": VisitKind.ENTERPRISE,
                        "visited_on": c.starts_on + timedelta(days=rng.randrange(span)),
                        "visitors": "县总工会领导", "recipient_kind": "", "name": "", "id_number": "",
                        "id_number_bidx": "", "handed_over": "",
                        "enterprise": f"第{i + 1}走访企业（{county}）", "enterprise_in_difficulty": rng.random() < 0.3,
                        "frontline_greeted": rng.randrange(20, 400)}))
                    made["enterprise"] += 1
            table.insert(rows)
    ctx.out(f"全国走访：{made['campaigns']} 个省级活动，入户 {made['household']:,} 户次，走访企业 "
            f"{made['enterprise']:,} 家")
