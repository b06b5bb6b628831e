"""Acceptance: on the demo season, every auto cell of the 2015 统计表 equals a count written here straight from
the records (Python loops, no SQL grouping), at a grassroots union, a county, a city and the root; every
derived rule of the four definitions passes on the demo, and fails on a crafted bad report."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from tests.archives.factories import filed_on_day
from warmth.archives.models import Archive, FamilyMember
from warmth.campaigns.models import Activity
from warmth.core.festival import campaign_window
from warmth.demo.archives import seed_archives
from warmth.demo.campaigns import seed_campaigns
from warmth.demo.funds import seed_funds
from warmth.demo.orgs import seed_orgs
from warmth.demo.payments import seed_payments
from warmth.demo.pipeline import DemoContext
from warmth.funds.models import LedgerEntry
from warmth.orgs.models import Org
from warmth.payments.models import Payment
from warmth.reports import engine, services
from warmth.reports.definitions import definition, definitions
from warmth.visits.models import Visit

pytestmark = pytest.mark.django_db
YEAR = 2025
WORKER_MEMBERS = {"劳模", "在岗", "下（待）岗", "失（无）业", "退休", "离休", "病退", "病休", "内退", "农民工"}
FORM_SOURCES = {"government": {"central", "provincial", "local"},
                "central": {"central"}, "local": {"provincial", "local"}, "union": {"upper_union", "own_union"},
                "donation": {"donation"}, "other": {"other"}}


def wan(yuan) -> Decimal:
    return (Decimal(yuan) / 10000).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)  # 四舍五入


def is_model(a) -> bool:
    return a.model_worker_type not in ("", "非劳模")


def brute(org: Org, day=None) -> dict[str, Decimal]:
    """Every named source of the 2015 form, counted by walking the rows (households 在档 at the end of ``day``,
    None: now)."""
    inside = lambda o: o.path.startswith(org.path)  # noqa: E731
    archives = [a for a in Archive.objects.select_related("org") if inside(a.org)]
    filed = [a for a in archives if filed_on_day(a, day)]
    filed_ids = {a.pk for a in filed}
    members = [m for m in FamilyMember.objects.all() if m.archive_id in filed_ids]
    out = {
        "archives.households": len(filed),
        "archives.migrant_households": sum(a.identity == "农民工" for a in filed),
        "archives.below_dibao": sum(a.category in ("低保户", "深度困难") for a in filed),
        "archives.near_dibao": sum(a.category in ("低保边缘户", "相对困难") for a in filed),
        "archives.accident": sum(a.category in ("意外致困户", "意外致困") for a in filed),
        "archives.lifted": sum(a.status == "exited" and a.exit_reason == "脱困" and a.exited_at is not None
                               and timezone.localtime(a.exited_at).year == YEAR for a in archives),
        "archives.workers": len(filed) + sum(m.identity in WORKER_MEMBERS for m in members),
        "archives.migrant_workers": sum(a.identity == "农民工" for a in filed) + sum(
            m.identity == "农民工" for m in members),
    }
    visits = [v for v in Visit.objects.select_related("org", "archive", "campaign")
              if inside(v.org) and not v.voided and v.campaign.year == YEAR]
    homes = [v for v in visits if v.kind == "household"]

    def klass(v):
        if v.archive_id:
            return "model" if is_model(v.archive) else "migrant" if v.archive.identity == "农民工" else "worker"
        return {"hardship_model": "model", "migrant": "migrant", "other": "worker"}.get(v.recipient_kind)

    def households(keep):
        return len({("a", v.archive_id) if v.archive_id else ("v", v.pk) for v in homes if keep(klass(v))})

    out |= {
        "visits.enterprises": sum(v.kind == "enterprise" for v in visits),
        "visits.enterprises_in_difficulty": sum(v.kind == "enterprise" and v.enterprise_in_difficulty
                                                for v in visits),
        "visits.frontline": sum(v.frontline_greeted for v in visits),
        "visits.households": households(lambda k: k is not None),
        "visits.worker_households": households(lambda k: k in ("worker", "migrant")),
        "visits.migrant_households": households(lambda k: k == "migrant"),
        "visits.model_households": households(lambda k: k == "model"),
    }
    def came_in(e):  # raised here, or received from a union outside the subtree
        if e.kind == "reversal":
            e = e.reverses
        return e.kind == "raised" or (e.kind == "received" and not inside(e.allocation.from_org))

    entries = [e for e in LedgerEntry.objects.select_related("pot__org", "reverses__allocation__from_org",
                                                             "allocation__from_org")
               if inside(e.pot.org) and e.pot.year == YEAR and e.pot.purpose == "warmth"
               and e.kind in ("raised", "received", "reversal") and came_in(e)]
    out["funds.raised_total"] = wan(sum(e.amount for e in entries))
    for line, srcs in FORM_SOURCES.items():
        out[f"funds.raised_{line}"] = wan(sum(e.amount for e in entries if e.pot.source in srcs))
    pays = [p for p in Payment.objects.select_related("org", "pot", "archive")
            if inside(p.org) and p.pot.year == YEAR and p.status in ("approved", "paid", "confirmed")]
    cash = [v for v in visits if v.entry_id]

    def paid(keep_pay, keep_visit):
        return wan(sum(p.amount for p in pays if keep_pay(p)) + sum(v.cash_amount for v in cash if keep_visit(v)))

    out["payments.paid_total"] = paid(lambda p: True, lambda v: True)
    out["payments.paid_models"] = paid(lambda p: (p.archive_id and is_model(p.archive))
                                       or p.recipient_kind == "hardship_model", lambda v: klass(v) == "model")
    out["payments.paid_migrants"] = paid(lambda p: (p.archive_id and p.archive.identity == "农民工")
                                         or p.recipient_kind == "migrant",
                                         lambda v: (v.archive_id and v.archive.identity == "农民工")
                                         or (not v.archive_id and v.recipient_kind == "migrant"))
    start, end = campaign_window(YEAR)
    acts = [a for a in Activity.objects.select_related("org", "campaign") if inside(a.org) and not a.voided
            and ((a.campaign_id and a.campaign.year == YEAR) or (not a.campaign_id and start <= a.on_date <= end))]
    for a in acts:
        for field in ("count", "people", "part", "amount", "part_amount"):
            key = f"activity:{a.kind}:{field}"
            v = getattr(a, field) or 0
            out[key] = out.get(key, 0) + v
    return out


@pytest.fixture(scope="module", params=["season", "season+national"])
def _seeded(request, django_db_setup, django_db_blocker):
    """The demo season; and the same with the national-scale bulk loaders run over it (three seasons of county
    payments with their pots and entries, a season per province with its visits), which must leave records the
    forms count exactly as they count those made through the services. Built once per module and variant,
    inside one transaction rolled back at the end; each test runs in a savepoint inside it."""
    from django.db import connection, transaction

    from warmth.audit import triggers
    from warmth.demo import national_payments, national_visits
    from warmth.funds import triggers as ledger_triggers

    with django_db_blocker.unblock(), transaction.atomic():
        triggers.install(connection)
        ledger_triggers.install(connection)
        ctx = DemoContext(scale="small", seed=11, year=YEAR, out=lambda _: None)
        for fn in (seed_orgs, seed_archives, seed_funds, seed_campaigns, seed_payments):
            fn(ctx)
        if request.param == "season+national":
            national_visits.load(ctx)
            national_payments.load(ctx)
            assert Payment.objects.filter(pot__year=YEAR - 2).exists()
            assert Visit.objects.filter(kind="enterprise").exists()
        yield ctx
        transaction.set_rollback(True)


@pytest.fixture
def demo(_seeded, db):
    return _seeded


def test_every_auto_cell_of_the_2015_form_equals_a_count_from_the_records(demo):
    defn = definition("warmth-2015")
    wuhou = Org.objects.get(code="510107")
    grassroots = max(Org.objects.filter(parent=wuhou), key=lambda o: Archive.objects.filter(org=o).count())
    checked = 0
    for org in (grassroots, wuhou, Org.objects.get(code="510100"), Org.objects.get(parent=None)):
        want = brute(org, services.as_of(org, YEAR))  # the report's stated day, printed beside 2.A–3.E
        cells = services.compute(defn, org, YEAR)
        for it in defn.items:
            if not it.auto:
                continue
            if it.source == "sum":
                parts = dict(defn.sums)[it.code]
                expected = sum(cells[p].value for p in parts)
            else:
                raw = want.get(it.source, 0)
                expected = wan(raw) if it.unit == "万元" and it.source.startswith("activity:") else raw
            assert cells[it.code].value == expected, (org.name, it.code, it.source)
            checked += 1
        if org.code == "510100":  # the demo gives the city something in every group of items
            for code in ("3.A", "4.A", "4.D", "5.A", "6.A", "7.C", "8.A", "9.A", "10.F"):
                assert cells[code].value > 0, code
    assert checked == 4 * sum(1 for it in defn.items if it.auto)


def test_every_derived_rule_passes_on_the_demo_and_fails_on_a_crafted_report(demo):
    city = Org.objects.get(code="510100")
    for defn in definitions().values():
        cells = services.compute(defn, city, YEAR)
        values = {c: v.value for c, v in cells.items()}
        results = engine.check(defn, values)
        assert [r.message for r in results if not r.ok] == [], defn.id
        for r in results:  # break each rule on purpose: its left side one above what the rule allows
            if r.rule.op not in ("<=", "==") or "+" in r.rule.left:
                continue
            bad = dict(values)
            right = r.right if r.right is not None else Decimal(0)
            bad[r.rule.left] = right + 1
            for part in [c for c in r.rule.right.split("+") if c in bad and bad[c] is None]:
                bad[part] = Decimal(0)
            broken = {x.rule.code for x in engine.check(defn, bad) if not x.ok}
            assert r.rule.code in broken, (defn.id, r.rule.code)


def test_the_batched_queries_give_what_each_source_gives_alone(demo):
    """``sources.values`` computes a table's sources in one query; each source alone must agree with it."""
    from warmth.reports import sources

    names = sorted({it.source for d in definitions().values() for it in d.items if it.auto and it.source != "sum"})
    assert len(names) > 60
    wuhou = Org.objects.get(code="510107")
    for org in (wuhou, Org.objects.get(code="510100"), Org.objects.get(parent=None)):
        for day in (None, date(2026, 1, 31)):  # now (the tally), and a day already past (the records then)
            scope = sources.Scope(org, YEAR, day)
            together = sources.values(names, scope)
            alone = {name: sources.source(name).value(scope) for name in names}
            assert together == alone, (org.name, day)
            assert together["archives.households"] == brute(org, day)["archives.households"]
        assert any(v for k, v in together.items() if k.startswith("payments.")) and together["visits.households"]


def test_the_tally_equals_the_records_at_every_org_and_season(demo):
    """The forms add up the per-org tally; at every org of the demo and every season it must give what the
    records give (``tally.check`` compares it with the live aggregate queries)."""
    from warmth.reports import tally

    orgs = list(Org.objects.all())
    assert tally.check(orgs, [YEAR - 2, YEAR - 1, YEAR, YEAR + 1]) == []
    assert tally.totals(Org.objects.get(parent=None), YEAR)["visits.households"] > 0


def test_the_tally_follows_every_way_of_writing(demo):
    """Writes the ORM does not see (``update()``, raw SQL, ``bulk_create``) mark their orgs through the
    triggers: after each the tally still equals the records, and the figure did change."""
    from django.db import connection

    from warmth.orgs.services import org_move
    from warmth.reports import tally

    root = Org.objects.get(parent=None)
    wuhou, city = Org.objects.get(code="510107"), Org.objects.get(code="510100")
    watch = [root, city, wuhou, *Org.objects.filter(parent=wuhou)]

    def now():
        return tally.totals(root, YEAR), tally.totals(wuhou, YEAR)

    def holds(before, key, where=0):
        after = now()
        assert after[where][key] != before[where][key], key
        assert tally.check(watch, [YEAR]) == []
        return after

    state = now()
    # an archive's class changes by the ORM: its household's visits and payments change class at their orgs
    paid = Payment.objects.filter(pot__year=YEAR, status__in=("approved", "paid", "confirmed"),
                                  archive__identity="在岗", archive__model_worker_type__in=["", "非劳模"],
                                  org__path__startswith=wuhou.path).select_related("archive").first()
    a = paid.archive
    a.identity = "农民工"
    a.save()
    state = holds(state, "payments.paid_migrants", 1)
    # a payment reversed with update() (no signal)
    Payment.objects.filter(pk=paid.pk).update(status="reversed")
    state = holds(state, "payments.paid_total", 1)
    # a visit voided in raw SQL
    v = Visit.objects.filter(campaign__year=YEAR, org__path__startswith=wuhou.path, voided=False,
                             kind="household", archive__isnull=False).first()
    with connection.cursor() as cur:
        cur.execute("UPDATE campaigns_visit SET voided = %s WHERE id = %s", [True, v.pk])
    state = holds(state, "visits.households", 1)
    # a member's 身份 changed in raw SQL (a university student now: no longer a worker)
    m = FamilyMember.objects.filter(archive__status="active", archive__org__path__startswith=wuhou.path,
                                    identity__in=sorted(WORKER_MEMBERS)).first()
    with connection.cursor() as cur:
        cur.execute("UPDATE archives_familymember SET identity = %s WHERE id = %s", ["大学生", m.pk])
    state = holds(state, "archives.workers", 1)
    # visits added with bulk_create
    fresh = [Visit(campaign=v.campaign, org=v.org, kind="enterprise", visited_on=v.visited_on, visitors="x",
                   created_by=v.created_by, enterprise=f"企业{i}") for i in range(3)]
    Visit.objects.bulk_create(fresh)
    state = holds(state, "visits.enterprises", 1)
    # a whole county moved to another province: its figures leave the city and stay in the root
    city_before = tally.totals(city, YEAR)
    org_move(actor=None, org=wuhou, new_parent=Org.objects.exclude(code__startswith="51").filter(level="province")
             .first(), reason="测试")
    assert tally.totals(Org.objects.get(code="510100"), YEAR)["archives.households"] < city_before[
        "archives.households"]
    assert tally.totals(Org.objects.get(parent=None), YEAR) == state[0]
    assert tally.check([Org.objects.get(code="510100"), Org.objects.get(parent=None)], [YEAR]) == []


def test_a_household_visited_at_two_orgs_counts_once_above_both(demo):
    """An archive visited at one union, moved to another and visited there again (the season's two visits
    at two orgs): each org counts it, their common ancestors count it once (``TallyOverlap``)."""
    from warmth.reports import tally

    wuhou = Org.objects.get(code="510107")
    units = list(Org.objects.filter(parent=wuhou).order_by("path"))
    v = Visit.objects.filter(campaign__year=YEAR, org__in=units, voided=False, kind="household",
                             archive__isnull=False).select_related("archive").first()
    other = next(u for u in units if u.pk != v.org_id)
    root = Org.objects.get(parent=None)
    before = {o.pk: tally.totals(o, YEAR)["visits.households"] for o in (wuhou, root, other)}
    Archive.objects.filter(pk=v.archive_id).update(org=other)
    again = Visit.objects.get(pk=v.pk)
    again.pk, again.org = None, other
    again.save()
    after = {o.pk: tally.totals(o, YEAR)["visits.households"] for o in (wuhou, root, other)}
    assert after[wuhou.pk] == before[wuhou.pk] and after[root.pk] == before[root.pk]
    assert after[other.pk] == before[other.pk] + 1
    assert tally.check([wuhou, root, other, Org.objects.get(pk=v.org_id)], [YEAR]) == []
    from warmth.reports.models import TallyOverlap

    assert TallyOverlap.objects.filter(archive_id=v.archive_id, org=wuhou, year=YEAR, visited=-1).exists()


def test_the_tally_command_refreshes_and_its_check_finds_a_tampered_row(demo):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from warmth.reports import tally
    from warmth.reports.models import Tally, TallyDirty

    tally.refresh()  # whatever the demo's loading left
    wuhou = Org.objects.get(code="510107")
    Payment.objects.filter(org=wuhou, pot__year=YEAR).update(note="x")  # marks 武侯
    assert TallyDirty.objects.filter(org_id=wuhou.pk).exists()
    out = StringIO()
    call_command("reports", "tally", "--check", "510100", "--year", str(YEAR), stdout=out, stderr=StringIO())
    assert "重算 1 个组织" in out.getvalue() and "一致" in out.getvalue()
    assert not TallyDirty.objects.exists()
    Tally.objects.filter(org=wuhou, year=YEAR).update(paid=1)  # a row that no longer matches the records
    with pytest.raises(CommandError, match="不一致"):
        call_command("reports", "tally", "--check", "510100", "--year", str(YEAR), stdout=StringIO(),
                     stderr=StringIO())
    call_command("reports", "tally", "--full", stdout=StringIO(), stderr=StringIO())
    call_command("reports", "tally", "--check", "510100", "--year", str(YEAR), stdout=StringIO(), stderr=StringIO())


def test_a_past_day_s_form_counts_the_archives_changed_since_that_day(demo):
    """Archives approved or exited after the report's day: the form (the tally as it stands, corrected by what
    changed since, ``sources._archive_as_of``) still equals the count of the records as of the day."""
    from datetime import datetime, time, timedelta

    defn = definition("warmth-2015")
    city = Org.objects.get(code="510100")
    day = services.as_of(city, YEAR)
    assert day < timezone.localdate()
    after = datetime.combine(day + timedelta(days=3), time(10), tzinfo=timezone.get_current_timezone())
    ids = list(Archive.objects.filter(org__path__startswith=city.path, status="active").order_by("id")
               .values_list("pk", flat=True)[:6])
    Archive.objects.filter(pk__in=ids[:2]).update(activated_at=after)  # approved after the day: not 在档 then
    Archive.objects.filter(pk__in=ids[2:]).update(status="exited", exit_reason="脱困", exited_at=after)  # 在档 then
    want = brute(city, day)
    assert want["archives.households"] != Archive.objects.filter(org__path__startswith=city.path,
                                                                  status__in=["active", "exit_review",
                                                                              "exit_publicizing"]).count()
    cells = services.compute(defn, city, YEAR)
    checked = 0
    for it in defn.items:
        if it.auto and it.source.startswith("archives."):
            assert cells[it.code].value == want[it.source], (it.code, it.source)
            checked += 1
    assert checked >= 5
