"""动态管理 and 一户一策: reviews, plans, lists, spot checks, attachments, category suggestions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.archives.factories import archive_input, new_id
from tests.conftest import actor_of
from warmth.archives import care, rules
from warmth.archives.models import Archive, ArchiveReview, Attachment
from warmth.audit.models import AuditEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.4\n" + b"x" * 100


def actives(make_active, n):
    return [make_active(archive_input(id_number=new_id(born=date(1960 + i, 1, 1)), member_count=0))
            for i in range(n)]


def test_a_yearly_review_is_recorded_once_per_year(users, make_active):
    a = make_active()
    care.review_record(actor=actor_of(users.county), archive=a, year=2025, result="继续在档", notes="收入未变")
    with pytest.raises(ValidationError, match="已复核"):
        care.review_record(actor=actor_of(users.county), archive=a, year=2025, result="继续在档")
    with pytest.raises(ValidationError, match="复核结果"):
        care.review_record(actor=actor_of(users.county), archive=a, year=2026, result="随便")
    assert ArchiveReview.objects.get(archive=a).reviewer == users.county


def test_the_due_for_review_list_holds_active_archives_without_this_years_review(users, make_active):
    a, b = actives(make_active, 2)
    care.review_record(actor=actor_of(users.county), archive=a, year=2025, result="继续在档")
    assert list(care.due_for_review(actor_of(users.colleague), 2025)) == [b]
    assert list(care.due_for_review(actor_of(users.outsider), 2025)) == []


def test_a_plan_names_a_contact_and_a_visit_within_six_months(users, make_active):
    a = make_active()
    today = date(2025, 12, 1)
    with pytest.raises(ValidationError) as exc:
        care.plan_save(actor=actor_of(users.county), archive=a, needs="医疗", measures="大病救助",
                       contact_name="", next_visit_date=date(2026, 7, 1), today=today)
    assert set(exc.value.message_dict) == {"contact_name", "next_visit_date"}
    plan = care.plan_save(actor=actor_of(users.county), archive=a, needs="医疗", measures="大病救助",
                          contact_name="张联络", contact_phone="13800001111", next_visit_date=date(2026, 5, 31),
                          today=today)
    assert plan.contact_phone == "13800001111"
    assert list(care.plans_overdue(actor_of(users.county), today=date(2026, 6, 1))) == [a]
    assert list(care.plans_overdue(actor_of(users.county), today=date(2026, 5, 1))) == []


def test_the_spot_check_sample_is_reproducible_and_at_least_30_percent(users, make_active):
    actives(make_active, 7)
    first = care.spot_check_sample(actor_of(users.colleague), seed="2025-抽查")
    assert len(first) == 3  # ceil(7 × 0.3)
    assert care.spot_check_sample(actor_of(users.colleague), seed="2025-抽查") == first
    others = [care.spot_check_sample(actor_of(users.colleague), seed=f"种子{i}") for i in range(5)]
    assert any(o != first for o in others)  # the seed decides the sample (5 draws all equal: p = 35⁻⁵)
    assert care.spot_check_sample(actor_of(users.outsider), seed="x") == []


def test_attachments_are_typed_sniffed_and_stored_outside_the_web_root(users, filed, settings):
    att = care.attachment_add(actor=actor_of(users.county), archive=filed, kind="诊断证明",
                              upload=SimpleUploadedFile("../../etc/诊断.png", PNG, content_type="text/html"))
    path = care.attachment_path(att)
    assert path.is_file() and str(path).startswith(str(settings.WARMTH_FILES_DIR))
    assert att.content_type == "image/png" and att.original_name == "诊断.png" and att.size == len(PNG)
    with pytest.raises(ValidationError, match="PDF、JPG、PNG"):
        care.attachment_add(actor=actor_of(users.county), archive=filed, kind="其他",
                            upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"))
    with pytest.raises(ValidationError, match="附件类型"):
        care.attachment_add(actor=actor_of(users.county), archive=filed, kind="照片",
                            upload=SimpleUploadedFile("x.pdf", PDF))
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * care.MAX_ATTACHMENT_BYTES)
    with pytest.raises(ValidationError, match="不能超过"):
        care.attachment_add(actor=actor_of(users.county), archive=filed, kind="其他", upload=big)
    assert Attachment.objects.count() == 1


def test_a_withdrawn_attachment_is_kept(users, filed):
    att = care.attachment_add(actor=actor_of(users.county), archive=filed, kind="申请书",
                              upload=SimpleUploadedFile("a.pdf", PDF))
    care.attachment_withdraw(actor=actor_of(users.county), attachment=att)
    att.refresh_from_db()
    assert att.withdrawn_at is not None and care.attachment_path(att).is_file()
    assert AuditEvent.objects.filter(action="archive.attachment_withdraw").exists()


@pytest.mark.parametrize("scheme, income, size, rigid, costs, expected", [
    ("seed", "9600", 2, "0", "0", "低保户"),        # 400/month/person < 900
    ("seed", "24000", 2, "0", "0", "低保边缘户"),   # 1000 < 1.5 × 900
    ("seed", "36000", 2, "0", "0", None),           # 1500 ≥ 1350
    ("seed", "30000", 3, "0", "25000", "意外致困户"),  # costs > 80% of income
    ("national", "30000", 3, "6000", "0", "深度困难"),  # (30000-6000)/3/12 = 666.67 < 900
    ("national", "48000", 3, "6000", "0", "相对困难"),  # 1166.67 < 1800
    ("national", "80000", 3, "0", "0", None),
    ("national", "10000", 2, "0", "9000", "意外致困"),
])
def test_the_category_suggestion_follows_the_rules(scheme, income, size, rigid, costs, expected):
    s = rules.suggest(scheme=scheme, household_annual_income=Decimal(income), household_size=size,
                      rigid_expenses=Decimal(rigid), hardship_costs=Decimal(costs), dibao_monthly=Decimal("900"))
    assert s.category == expected and s.reason


def test_the_local_standard_falls_back_from_county_to_city_to_province(users, db):
    care.dibao_standard_set(actor=None, region_code="510100", year=2024, monthly_amount="880")
    care.dibao_standard_set(actor=None, region_code="510000", year=2025, monthly_amount="800")
    assert rules.dibao_for("510107", 2025) == Decimal("880.00")
    assert rules.dibao_for("511702", 2025) == Decimal("800.00")
    assert rules.dibao_for("460105", 2025) is None
    with pytest.raises(ValidationError, match="浮点数"):
        care.dibao_standard_set(actor=None, region_code="510107", year=2025, monthly_amount=900.0)


def test_a_handler_may_not_set_the_local_standard(users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        care.dibao_standard_set(actor=actor_of(users.county), region_code="510107", year=2025, monthly_amount="1")


def test_possible_duplicates_are_flagged_on_submit_not_blocked(users, tree, filed):
    from warmth.archives.lifecycle import archive_submit

    twin = Archive.objects.get(pk=filed.pk)
    other = __import__("warmth.archives.services", fromlist=["archive_file"]).archive_file(
        actor=actor_of(users.county), org=tree.k1,
        data=archive_input(id_number=new_id(born=twin.birth_date, sex="男"), member_count=0, name=twin.name))
    archive_submit(actor=actor_of(users.county), archive=other)
    flag = other.duplicate_flags.get()
    assert flag.other == filed and flag.resolution == ""
    care.duplicate_resolve(actor=actor_of(users.colleague), flag=flag, resolution="not_duplicate", note="不同人")
    assert Archive.objects.get(pk=other.pk).status == "submitted"


def test_unchanged_for_a_year_lists_stale_active_archives(users, make_active):
    from django.utils import timezone

    a = make_active()
    today = timezone.localdate()
    assert list(care.unchanged_for_a_year(actor_of(users.county), today=today)) == []
    assert list(care.unchanged_for_a_year(actor_of(users.county), today=today + timedelta(days=400))) == [a]
