"""收入核对: the authorisation kept and superseded, a batch, the export for the centre (full IDs, audited), the
centre's answers (every bad line at once, nothing written in part, another subtree's households refused), a
不一致 answer in the reviewer's 待办 until decided, the rates equal to a count by hand, the outsider on every page."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.archives.factories import archive_input
from tests.conftest import actor_of, make_user
from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.archives.services import archive_file
from warmth.audit.models import AuditEvent
from warmth.incomecheck import services
from warmth.incomecheck.models import Authorization, Check
from warmth.orgs.models import Role
from warmth.todo.queries import todo_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, tree):
    """在档 households of 武侯 (5) and 锦江 (4), one exited of 武侯; all but one of 锦江 and the exited one signed."""
    made = {"k1": [], "k2": []}
    for key, org, n in (("k1", tree.k1, 5), ("k2", tree.k2, 4)):
        filer = actor_of(users.county if key == "k1" else users.owner)
        for _ in range(n):
            a = archive_file(actor=filer, org=org, data=archive_input())
            Archive.objects.filter(pk=a.pk).update(status=ArchiveStatus.ACTIVE)  # crafted: lifecycle tested elsewhere
            made[key].append(Archive.objects.get(pk=a.pk))
    gone = archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input())
    Archive.objects.filter(pk=gone.pk).update(status=ArchiveStatus.EXITED)
    made["gone"] = Archive.objects.get(pk=gone.pk)
    handler = actor_of(users.owner)  # 成都's handler signs for all of them
    for a in made["k1"] + made["k2"][:3] + [made["gone"]]:
        services.authorization_record(actor=handler, archive=a, signed_on=date(2026, 1, 5), signer="户主",
                                      declared=True)
    return made


def answers(tmp_path, rows, name="answers.csv"):
    path = tmp_path / name
    lines = ["核对编号,结果,核对家庭年收入,说明"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_the_authorisation_is_recorded_superseded_and_kept(users, tree, world):
    a = world["k2"][3]
    handler = actor_of(users.owner)
    with pytest.raises(ValidationError) as caught:  # neither a scan nor 本人已签署; no signer; a future day
        services.authorization_record(actor=handler, archive=a, signed_on="2999-01-01", signer="")
    assert {"file", "signer", "signed_on"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError):  # a fake scan
        services.authorization_record(actor=handler, archive=a, signed_on="2026-01-05", signer="户主",
                                      upload=SimpleUploadedFile("a.pdf", b"MZ not a pdf"))
    first = services.authorization_record(actor=handler, archive=a, signed_on="2026-01-05", signer="户主",
                                          upload=SimpleUploadedFile("授权书.pdf", b"%PDF-1.4 x"))
    assert first.file and not first.declared
    second = services.authorization_record(actor=handler, archive=a, signed_on="2026-02-01", signer="户主",
                                           declared=True)
    first.refresh_from_db()
    assert first.superseded_at is not None and services.current_authorization(a) == second
    assert Authorization.objects.filter(archive=a).count() == 2
    with pytest.raises(PermissionDenied):  # a reviewer has no archive.write
        services.authorization_record(actor=actor_of(users.colleague), archive=a, signed_on="2026-01-05",
                                      signer="x", declared=True)


def test_the_flow_end_to_end(client, users, tree, world, tmp_path):
    from python_calamine import CalamineWorkbook

    reviewer = actor_of(users.colleague)
    with pytest.raises(PermissionDenied):  # a handler does not build batches
        services.batch_create(actor=actor_of(users.owner), org=tree.c1)
    batch = services.batch_create(actor=reviewer, org=tree.c1)
    checks = list(batch.checks.order_by("id"))
    assert sorted(c.archive_id for c in checks) == sorted(a.pk for a in world["k1"] + world["k2"][:3])
    with pytest.raises(ValidationError):  # everyone due is in a batch now
        services.batch_create(actor=reviewer, org=tree.c1)
    client.force_login(users.colleague)
    export = client.get(f"/incomecheck/batches/{batch.pk}/export/")
    assert export.status_code == 200
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"".join(export.streaming_content))
    book = CalamineWorkbook.from_path(str(path))
    head, *rows = book.get_sheet_by_index(0).to_python()
    assert head[:7] == ["批次号", "序号", "核对编号", "姓名", "身份证号", "家庭人口", "申报家庭年收入"]
    first = Archive.objects.get(pk=checks[0].archive_id)
    assert rows[0][2] == str(checks[0].pk) and rows[0][4] == first.id_number  # the full number
    members = book.get_sheet_by_index(1).to_python()
    assert members[0][:3] == ["核对编号", "户主姓名", "成员姓名"] and len(members) > 1
    assert AuditEvent.objects.get(action="pii.export", object_type="incomecheck_batch").after["rows"] == len(checks)
    client.force_login(users.county)  # 武侯's handler: no pii of 成都's batch
    assert client.get(f"/incomecheck/batches/{batch.pk}/export/").status_code == 404
    odd = checks[1]
    rows = [[str(c.pk), "一致", "", ""] for c in checks]
    rows[1] = [str(odd.pk), "不一致", "85000", "有房租收入"]
    rows[2] = [str(checks[2].pk), "无法核对", "", "户籍不在本市"]
    summary = services.answers_import(actor=reviewer, batch=batch, path=answers(tmp_path, rows), filename="a.csv")
    assert summary["errors"] == [] and summary["applied"] and summary["inconsistent"] == 1
    odd.refresh_from_db()
    assert odd.checked_income == Decimal("85000.00") and odd.result == "inconsistent"
    todo = todo_for(reviewer)
    mine = [i for i in todo.items if i.kind == "incomecheck"]
    assert [i.pk for i in mine] == [odd.pk]
    assert not [i for i in todo_for(actor_of(users.owner)).items if i.kind == "incomecheck"]  # not the handler's
    client.force_login(users.colleague)
    page = client.get(f"/incomecheck/batches/{batch.pk}/").content.decode()
    assert f'id="decide-{odd.pk}"' in page and "不一致" in page
    assert client.post(f"/incomecheck/checks/{odd.pk}/decide/", {"decision": "keep", "note": ""}).status_code == 302
    odd.refresh_from_db()
    assert odd.decided_at is None  # a note is required
    client.post(f"/incomecheck/checks/{odd.pk}/decide/", {"decision": "change", "note": "调整为相对困难"})
    odd.refresh_from_db()
    assert odd.decision == "change" and odd.decided_by_id == users.colleague.pk
    assert not [i for i in todo_for(reviewer).items if i.kind == "incomecheck"]
    with pytest.raises(ValidationError):  # decided once
        services.check_decide(actor=reviewer, check=odd, decision="exit", note="x")
    overview = client.get("/incomecheck/").content.decode()
    assert batch.number in overview and 'id="rate-check"' in overview


def test_a_file_of_another_subtree_is_refused_row_by_row_and_writes_nothing(users, tree, world, tmp_path):
    wuhou = make_user("k1_reviewer", tree.k1, Role.REVIEWER)
    theirs = services.batch_create(actor=actor_of(users.colleague), org=tree.k2)  # 锦江's, by 成都
    ours = services.batch_create(actor=actor_of(wuhou), org=tree.k1, archive_ids=[a.pk for a in world["k1"][:4]])
    other = services.batch_create(actor=actor_of(wuhou), org=tree.k1)  # the fifth 武侯 household
    mine = list(ours.checks.order_by("id"))
    rows = [[str(mine[0].pk), "一致", "", ""]]  # fine on its own
    rows += [[str(c.pk), "一致", "", ""] for c in theirs.checks.order_by("id")]  # 锦江's households: lines 3-5
    rows += [["999999", "一致", "", ""],                       # unknown
             [str(mine[1].pk), "差不多", "", ""],              # bad result
             [str(mine[2].pk), "不一致", "12万", ""],          # bad amount
             [str(mine[3].pk), "不一致", "", ""],              # 不一致 without the income
             [str(mine[0].pk), "一致", "", ""]]                # the same household twice
    summary = services.answers_import(actor=actor_of(wuhou), batch=ours, path=answers(tmp_path, rows),
                                      filename="a.csv")
    assert not summary["applied"] and summary["updated"] == 0
    assert [n for n, _ in summary["errors"]] == [3, 4, 5, 6, 7, 8, 9, 10]
    text = " ".join(m for _, m in summary["errors"])
    assert text.count("不在本单位") == 3 and "不存在" in text and "结果应为" in text and "同一户" in text
    assert not Check.objects.filter(answered_at__isnull=False).exists()
    # a 武侯 household of another batch
    again = services.answers_import(actor=actor_of(wuhou), batch=ours,
                                    path=answers(tmp_path, [[str(other.checks.get().pk), "一致", "", ""]]),
                                    filename="a.csv")
    assert "另一批次" in again["errors"][0][1] and not again["applied"]


def test_the_rates_equal_a_count_by_hand(users, tree, world, tmp_path):
    reviewer = actor_of(users.colleague)
    batch = services.batch_create(actor=reviewer, org=tree.c1)
    rng = random.Random(3)
    checks = list(batch.checks.select_related("org").order_by("id"))
    given = {}
    rows = []
    for c in checks[:-2]:  # two stay unanswered
        result = rng.choice(["一致", "一致", "不一致", "无法核对"])
        given[c.archive_id] = result
        rows.append([str(c.pk), result, "50000" if result == "不一致" else "", ""])
    assert services.answers_import(actor=reviewer, batch=batch, path=answers(tmp_path, rows),
                                   filename="a.csv")["applied"]
    stale = checks[0]  # answered more than 12 months ago: no longer counts as checked
    Check.objects.filter(pk=stale.pk).update(answered_at=timezone.now() - timedelta(days=400))
    given.pop(stale.archive_id)

    def by_hand(org):
        active = [a for a in Archive.objects.filter(status="active").select_related("org")
                  if a.org.path.startswith(org.path)]
        signed = [a for a in active if Authorization.objects.filter(archive=a, superseded_at=None).exists()]
        done = [a for a in active if a.pk in given]
        same = [a for a in done if given[a.pk] == "一致"]
        differ = [a for a in done if given[a.pk] == "不一致"]

        def pct(x, y):
            return None if not y else (Decimal(100) * len(x) / len(y)).quantize(Decimal("0.1"), "ROUND_HALF_UP")

        return len(active), len(signed), len(done), len(same), len(differ), pct(done, active), pct(same, done)

    def engine(r):
        return r.active, r.authorized, r.checked, r.consistent, r.inconsistent, r.check_rate, r.consistent_rate

    for org in (tree.c1, tree.k1, tree.k2, tree.p1):
        assert engine(services.rates(org)) == by_hand(org), org.name
    kids = {o.code: r for o, r in services.rates_by_child(tree.c1)}
    assert set(kids) == {"510107", "510104"} and engine(kids["510104"]) == by_hand(tree.k2)
    assert engine(services.rates(tree.c1))[2] == len(checks) - 3


def test_the_outsider_on_every_page(client, users, tree, world):
    batch = services.batch_create(actor=actor_of(users.colleague), org=tree.c1)
    check = batch.checks.first()
    archive = world["k1"][0]
    scan = services.authorization_record(actor=actor_of(users.owner), archive=world["k2"][3], signed_on="2026-01-05",
                                         signer="户主", upload=SimpleUploadedFile("授权书.pdf", b"%PDF-1.4 scan"))
    hn_reviewer = make_user("hn_reviewer", tree.p2, Role.REVIEWER)
    for outsider in (users.outsider, hn_reviewer):
        client.force_login(outsider)
        assert client.get(f"/incomecheck/archives/{archive.pk}/").status_code == 404
        assert client.get(f"/incomecheck/authorizations/{scan.pk}/file/").status_code == 404
        assert client.get(f"/incomecheck/batches/{batch.pk}/").status_code == 404
        assert client.get(f"/incomecheck/batches/{batch.pk}/export/").status_code == 404
        post = client.post(f"/incomecheck/batches/{batch.pk}/answers/",
                           {"file": SimpleUploadedFile("a.csv", f"核对编号,结果\n{check.pk},一致\n".encode())})
        assert post.status_code in (403, 404)
        assert client.post(f"/incomecheck/checks/{check.pk}/decide/",
                           {"decision": "keep", "note": "x"}).status_code in (403, 404)
        assert client.post(f"/incomecheck/archives/{archive.pk}/",
                           {"signer": "x", "signed_on": "2026-01-01", "declared": "on"}).status_code in (403, 404)
        page = client.get("/incomecheck/").content.decode()
        assert batch.number not in page and "武侯区" not in page
        assert client.get("/incomecheck/?org=510100").status_code in (403, 404)
    assert not Check.objects.filter(answered_at__isnull=False).exists()
    assert Authorization.objects.filter(archive=archive).count() == 1
    assert Authorization.objects.filter(archive=world["k2"][3]).count() == 1
    client.force_login(users.colleague)  # the own reviewer sees it all; the archive page links to it
    assert client.get(f"/incomecheck/archives/{archive.pk}/").status_code == 200
    assert f'href="/incomecheck/archives/{archive.pk}/"' in client.get(f"/archives/{archive.pk}/").content.decode()
    assert client.get("/incomecheck/?org=510107").status_code == 200
    page = client.get(f"/incomecheck/archives/{world['k2'][3].pk}/").content.decode()
    assert f"/incomecheck/authorizations/{scan.pk}/file/" in page
    got = client.get(f"/incomecheck/authorizations/{scan.pk}/file/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 scan"


def test_the_api(client, users, tree, world):
    from warmth.orgs.services import token_create

    batch = services.batch_create(actor=actor_of(users.colleague), org=tree.c1)
    c = batch.checks.order_by("id").first()
    auth = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(users.colleague), name="t")[1]}
    r = client.post(f"/api/incomecheck/batches/{batch.pk}/answers",
                    {"file": SimpleUploadedFile("a.csv", f"核对编号,结果\n{c.pk},一致\n".encode())}, **auth)
    assert r.status_code == 200 and r.json()["updated"] == 1
    assert client.get("/api/incomecheck/batches", **auth).json()[0]["answered"] == 1
    rates = client.get("/api/incomecheck/rates?org=510100", **auth).json()
    assert rates[0]["org"] == "510100" and rates[0]["checked"] == 1 and rates[0]["active"] == 9
    assert rates[0]["check_rate"] == "11.1" and {r["org"] for r in rates[1:]} == {"510107", "510104"}
    outsider = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(users.outsider), name="t")[1]}
    assert client.get("/api/incomecheck/batches", **outsider).json() == []
    assert client.get("/api/incomecheck/rates?org=510100", **outsider).status_code in (403, 404)
    bad = client.post(f"/api/incomecheck/batches/{batch.pk}/answers",
                      {"file": SimpleUploadedFile("a.csv", f"核对编号,结果\n{c.pk},一致\n".encode())}, **outsider)
    assert bad.status_code == 404
