"""第三方评估: a reproducible sample by stratum, the evaluators' findings imported (every bad line at once, nothing
written in part), the rates equal to a count done by hand on a crafted sample, the pages with the outsider."""

import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.archives.factories import archive_input
from tests.conftest import actor_of
from warmth.archives.choices import ArchiveStatus, ExitReason
from warmth.archives.models import Archive
from warmth.archives.services import archive_file
from warmth.audit.models import AuditEvent
from warmth.evaluation import services
from warmth.evaluation.models import Case, Sample, Stratum

pytestmark = pytest.mark.django_db
STATES = {  # stratum → how the crafted archive is left
    Stratum.ACTIVE: {"status": ArchiveStatus.ACTIVE},
    Stratum.LIFTED: {"status": ArchiveStatus.EXITED, "exit_reason": ExitReason.RECOVERED},
    Stratum.CLOSED: {"status": ArchiveStatus.EXITED, "exit_reason": ExitReason.NO_LONGER_ELIGIBLE},
    Stratum.APPLICANT: {"status": ArchiveStatus.REJECTED},
}


@pytest.fixture
def world(users, tree):
    """成都's reviewer; households of 武侯 and 锦江 in every stratum (6 active, 4 lifted, 3 closed, 3 applicants each),
    plus one archive that left by moving away (in no frame)."""
    handler = actor_of(users.county)
    made = {}
    for org in (tree.k1, tree.k2):
        for stratum, n in ((Stratum.ACTIVE, 6), (Stratum.LIFTED, 4), (Stratum.CLOSED, 3), (Stratum.APPLICANT, 3)):
            for _ in range(n):
                a = archive_file(actor=handler if org == tree.k1 else actor_of(users.owner), org=org,
                                 data=archive_input())
                Archive.objects.filter(pk=a.pk).update(**STATES[stratum])  # crafted: the lifecycle is tested elsewhere
                made.setdefault(stratum, []).append(a.pk)
    moved = archive_file(actor=handler, org=tree.k1, data=archive_input())
    Archive.objects.filter(pk=moved.pk).update(status=ArchiveStatus.EXITED, exit_reason=ExitReason.MOVED_AWAY)
    return made


def draw(users, tree, name="2026年评估", **sizes):
    sizes = sizes or {"active": 100, "lifted": 100, "closed": 100, "applicant": 100}
    return services.sample_draw(actor=actor_of(users.colleague), org=tree.c1, name=name, sizes=sizes)


def write(tmp_path, rows, name="findings.csv"):
    path = tmp_path / name
    lines = ["样本编号,符合建档条件,仍然困难,帮扶联系人半年内走访,评估说明"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def yn(v):
    return "" if v is None else ("是" if v else "否")


def test_frames_and_a_reproducible_draw(users, tree, world):
    assert services.frame_counts(tree.c1) == {"lifted": 8, "closed": 6, "active": 12, "applicant": 6}
    s = draw(users, tree, active=5, lifted=2, closed=0, applicant=1)
    chosen = sorted(s.cases.values_list("archive_id", "stratum"))
    assert [st for _, st in chosen].count("active") == 5 and len(chosen) == 8
    assert all(aid in world[Stratum(st)] for aid, st in chosen)
    again = services._draw(tree.c1, "2026年评估", "active", 5)
    assert sorted(a for a, st in chosen if st == "active") == [a for a, _ in again]
    assert AuditEvent.objects.filter(action="evaluation.draw", object_id=str(s.pk)).exists()
    with pytest.raises(ValidationError) as caught:
        draw(users, tree, active="x", lifted=-1)
    assert {"name", "size_active", "size_lifted"} <= set(caught.value.message_dict)  # the same name, bad sizes
    assert Sample.objects.count() == 1


def test_who_may_draw(users, tree, world):
    with pytest.raises(PermissionDenied):  # a handler has no archive.approve
        services.sample_draw(actor=actor_of(users.county), org=tree.k1, name="x", sizes={"active": 1})
    with pytest.raises(PermissionDenied):  # 四川's leader may not draw in 海南
        services.sample_draw(actor=actor_of(users.leader), org=tree.p2, name="x", sizes={"active": 1})


def test_the_rates_equal_a_count_by_hand_on_a_crafted_sample(users, tree, world, tmp_path):
    s = draw(users, tree)
    rng = random.Random(7)
    answers = {}
    rows = []
    cases = list(s.cases.select_related("org").order_by("id"))
    for c in cases[:-3]:  # the last three stay unsurveyed
        asked = services.QUESTIONS[c.stratum]
        a = {q: (rng.random() < 0.3 if q != "paired" else rng.random() < 0.7) for q in asked}
        if c.stratum == Stratum.APPLICANT:
            a["eligible"] = rng.random() < 0.4
        answers[c.pk] = a
        rows.append([str(c.pk), yn(a.get("eligible")), yn(a.get("still_hard")), yn(a.get("paired")), "入户核查"])
    summary = services.findings_import(actor=actor_of(users.colleague), sample=s, path=write(tmp_path, rows),
                                       filename="f.csv")
    assert summary["errors"] == [] and summary["applied"] and summary["updated"] == len(cases) - 3

    def by_hand(org):
        mine = [c for c in cases if c.org.path.startswith(org.path)]
        done = [c for c in mine if c.pk in answers]
        filed = [c for c in done if c.stratum != Stratum.APPLICANT]
        wrong_in = [c for c in filed if answers[c.pk]["eligible"] is False]
        appl = [c for c in done if c.stratum == Stratum.APPLICANT]
        missed_in = [c for c in appl if answers[c.pk]["eligible"] is True]
        out = [c for c in done if c.stratum in (Stratum.LIFTED, Stratum.CLOSED)]
        wrong_out = [c for c in out if answers[c.pk]["still_hard"] is True]
        act = [c for c in done if c.stratum == Stratum.ACTIVE]
        missed_out = [c for c in act if answers[c.pk]["still_hard"] is False]
        bad = {c.pk for c in wrong_in + missed_in + wrong_out + missed_out}
        paired = [c for c in act if answers[c.pk]["paired"] is True]

        def pct(a, b):
            return None if not b else (Decimal(100) * len(a) / len(b)).quantize(Decimal("0.1"), "ROUND_HALF_UP")

        return (len(mine), len(done), pct(wrong_in, filed), pct(missed_in, appl), pct(wrong_out, out),
                pct(missed_out, act), None if not done else (Decimal(100) * (len(done) - len(bad)) / len(done))
                .quantize(Decimal("0.1"), "ROUND_HALF_UP"), pct(paired, act))

    def engine(r):
        return (r.cases, r.surveyed, r.wrong_in_rate, r.missed_in_rate, r.wrong_out_rate, r.missed_out_rate,
                r.precision_rate, r.paired_rate)

    for org in (tree.c1, tree.k1, tree.k2):
        assert engine(services.rates(s, org)) == by_hand(org), org.name
    kids = dict((o.code, r) for o, r in services.rates_by_child(s, tree.c1))
    assert set(kids) == {"510107", "510104"}
    assert engine(kids["510107"]) == by_hand(tree.k1)
    assert engine(services.rates(s, tree.c1))[2] is not None  # the crafted sample holds every kind of case


def test_a_bad_findings_file_is_reported_line_by_line_and_writes_nothing(users, tree, world, tmp_path):
    s = draw(users, tree, active=2, applicant=1)
    active = list(s.cases.filter(stratum="active"))
    applicant = s.cases.get(stratum="applicant")
    rows = [
        [str(active[0].pk), "是", "否", "是", ""],         # fine on its own
        ["999999", "是", "", "", ""],                      # not in this sample
        [str(active[1].pk), "可能", "", "", ""],           # not 是/否
        [str(applicant.pk), "是", "是", "", ""],           # 仍然困难 is not asked of an applicant
        [str(active[0].pk), "否", "", "", ""],             # the same household twice
    ]
    summary = services.findings_import(actor=actor_of(users.colleague), sample=s, path=write(tmp_path, rows),
                                       filename="f.csv")
    assert not summary["applied"]
    assert [n for n, _ in summary["errors"]] == [3, 4, 5, 6]
    text = " ".join(m for _, m in summary["errors"])
    assert "不在这个样本中" in text and "应填" in text and "不评估" in text and "同一户" in text
    assert not Case.objects.filter(checked_at__isnull=False).exists()


def test_the_pages_the_export_and_the_outsider(client, users, tree, world, tmp_path):
    s = draw(users, tree, active=3, lifted=1)
    client.force_login(users.colleague)
    page = client.get(f"/evaluation/{s.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "武侯区总工会" in text and "错评率" in text and 'id="findings-form"' in text
    assert client.get(f"/evaluation/{s.pk}/?org=510107").status_code == 200
    assert client.get(f"/evaluation/{s.pk}/?org=460000").status_code == 404  # 海南 is not below the sample
    export = client.get(f"/evaluation/{s.pk}/export/")
    assert export.status_code == 200
    body = b"".join(export.streaming_content)
    assert body.startswith(b"PK")
    event = AuditEvent.objects.get(action="pii.export", object_type="evaluation_sample")
    assert event.after["rows"] == 4
    client.force_login(users.outsider)  # 海南's handler
    assert client.get(f"/evaluation/{s.pk}/").status_code == 404
    assert client.get(f"/evaluation/{s.pk}/export/").status_code == 404
    client.force_login(users.county)  # 武侯's handler: no sample of 成都 in sight, no draw form
    assert client.get(f"/evaluation/{s.pk}/").status_code == 404
    listing = client.get("/evaluation/").content.decode()
    assert 'id="draw-form"' not in listing
    assert client.post("/evaluation/", {"name": "x", "size_active": "1"}).status_code == 403


def test_the_draw_form_shows_every_error_at_once(client, users, tree, world):
    client.force_login(users.colleague)
    response = client.post("/evaluation/", {"org": "510100", "name": "", "size_active": "abc"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "样本名称" in text and "未脱困（在档）样本量" in text
    assert not Sample.objects.exists()
    response = client.post("/evaluation/", {"org": "510100", "name": "春节后评估", "size_active": "2",
                                            "size_applicant": "1"})
    assert response.status_code == 302
    assert Sample.objects.get().cases.count() == 3


def test_the_api_draws_reads_the_rates_and_takes_findings(client, users, tree, world):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from warmth.orgs.services import token_create

    auth = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(users.colleague), name="t")[1]}
    r = client.post("/api/evaluation/samples", json.dumps({"org": "510100", "name": "接口样本",
                                                           "sizes": {"active": 2, "applicant": 1}}),
                    content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()["cases"] == 3
    sid = r.json()["id"]
    active = Case.objects.filter(sample_id=sid, stratum="active").order_by("id")
    body = f"样本编号,符合建档条件,仍然困难\n{active[0].pk},否,是\n{active[1].pk},是,是\n".encode()
    r = client.post(f"/api/evaluation/samples/{sid}/findings", {"file": SimpleUploadedFile("f.csv", body)}, **auth)
    assert r.status_code == 200 and r.json()["updated"] == 2
    rates = client.get(f"/api/evaluation/samples/{sid}/rates", **auth).json()
    assert rates[0]["org"] == "510100" and rates[0]["surveyed"] == 2
    assert rates[0]["wrong_in_rate"] == "50.0" and rates[0]["precision_rate"] == "50.0"
    assert rates[0]["missed_in_rate"] is None
    bad = client.post(f"/api/evaluation/samples/{sid}/findings",
                      {"file": SimpleUploadedFile("f.csv", "样本编号,符合建档条件\n1,也许\n".encode())}, **auth)
    assert bad.status_code == 422 and bad.json()["errors"][0][0] == 2
    outsider = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(users.outsider), name="t")[1]}
    assert client.get(f"/api/evaluation/samples/{sid}/rates", **outsider).status_code == 404
    assert client.get("/api/evaluation/samples", **outsider).json() == []
