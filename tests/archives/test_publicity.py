"""A 公示 that starts before the day it is entered (issue 19 item 9): it needs a reason and the 公示 record, every
missing piece named at once, nothing written without them; with them the archive keeps both and is flagged for
the reviewer. A 公示 starting on the day it is entered needs neither."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import actor_of
from warmth.archives import care
from warmth.archives import lifecycle as lc
from warmth.archives.choices import ArchiveStatus as S
from warmth.archives.models import Archive, ArchiveStep, Attachment

pytestmark = pytest.mark.django_db
TODAY = date(2025, 12, 10)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def verifying(users, archive):
    lc.archive_submit(actor=actor_of(users.county), archive=archive)
    lc.archive_accept(actor=actor_of(users.colleague), archive=archive)
    archive.refresh_from_db()
    return archive


def verify(users, archive, start, **kw):
    return lc.archive_verify(actor=actor_of(users.county), archive=archive, visited_on=date(2025, 12, 1),
                             visitors="张三", findings="属实", publicity_start=start, today=TODAY, **kw)


def test_a_publicity_starting_on_the_day_it_is_entered_needs_no_reason(users, filed):
    a = verify(users, verifying(users, filed), TODAY)
    assert a.status == S.PUBLICIZING and not a.publicity_backdated
    assert a.publicity_entered_on == TODAY and a.publicity_record is None


def test_an_earlier_start_without_reason_and_record_is_refused_naming_both(users, filed):
    a = verifying(users, filed)
    steps = ArchiveStep.objects.count()
    with pytest.raises(ValidationError) as exc:
        verify(users, a, TODAY - timedelta(days=3))
    assert exc.value.message_dict == {
        "publicity_reason": ["公示开始日期（2025-12-07）早于今天，请填写理由"],
        "publicity_record": ["公示开始日期（2025-12-07）早于今天，请上传公示记录（公示照片或扫描件）"]}
    with pytest.raises(ValidationError) as exc:  # a reason alone is not enough
        verify(users, a, TODAY - timedelta(days=3), publicity_reason="已张贴")
    assert set(exc.value.message_dict) == {"publicity_record"}
    a.refresh_from_db()
    assert a.status == S.VERIFYING and a.publicity_start is None and ArchiveStep.objects.count() == steps
    assert not Attachment.objects.exists()


def test_the_other_mistakes_of_the_step_come_with_them(users, filed):
    a = verifying(users, filed)
    with pytest.raises(ValidationError) as exc:
        lc.archive_verify(actor=actor_of(users.county), archive=a, visited_on=date(2025, 12, 5), visitors="",
                          findings="", publicity_start=date(2025, 12, 4), today=TODAY)
    assert set(exc.value.message_dict) == {"visitors", "findings", "publicity_start", "publicity_reason",
                                           "publicity_record"}


def test_an_earlier_start_with_reason_and_upload_is_kept_and_flagged(users, filed):
    a = verify(users, verifying(users, filed), TODAY - timedelta(days=3), publicity_reason="社区公示栏已张贴，补录",
               publicity_record=SimpleUploadedFile("公示.png", PNG, content_type="image/png"))
    assert a.status == S.PUBLICIZING and a.publicity_backdated
    assert (a.publicity_start, a.publicity_entered_on) == (date(2025, 12, 7), TODAY)
    assert a.publicity_record.kind == "公示材料" and a.publicity_record.archive_id == a.pk
    step = a.steps.get(action="verify")
    assert step.data["publicity_late_reason"] == "社区公示栏已张贴，补录"
    assert step.data["publicity_entered_on"] == "2025-12-10"


def test_an_attached_record_may_be_named_but_only_a_publicity_one_of_this_archive(users, filed, make_active):
    a = verifying(users, filed)
    handler = actor_of(users.county)
    wrong = care.attachment_add(actor=handler, archive=a, kind="申请书",
                                upload=SimpleUploadedFile("申请书.png", PNG, content_type="image/png"))
    other = care.attachment_add(actor=handler, archive=make_active(), kind="公示材料",
                                upload=SimpleUploadedFile("公示.png", PNG, content_type="image/png"))
    for att in (wrong, other):
        with pytest.raises(ValidationError, match="不是本档案未撤回的"):
            verify(users, a, TODAY - timedelta(days=1), publicity_reason="补录", publicity_record_id=att.pk)
    right = care.attachment_add(actor=handler, archive=a, kind="公示材料",
                                upload=SimpleUploadedFile("公示.png", PNG, content_type="image/png"))
    a = verify(users, a, TODAY - timedelta(days=1), publicity_reason="补录", publicity_record_id=right.pk)
    assert a.publicity_record == right and a.publicity_backdated


def test_the_exit_publicity_follows_the_same_rule(users, make_active):
    a = make_active()
    reviewer = actor_of(users.colleague)
    lc.archive_exit_request(actor=actor_of(users.county), archive=a, reason="脱困")
    with pytest.raises(ValidationError) as exc:
        lc.archive_exit_approve(actor=reviewer, archive=a, publicity_start=TODAY - timedelta(days=2), today=TODAY)
    assert set(exc.value.message_dict) == {"publicity_reason", "publicity_record"}
    assert Archive.objects.get(pk=a.pk).status == S.EXIT_REVIEW
    a = lc.archive_exit_approve(actor=reviewer, archive=a, publicity_start=TODAY - timedelta(days=2), today=TODAY,
                                publicity_reason="退档公示已张贴",
                                publicity_record=SimpleUploadedFile("退档.pdf", b"%PDF-1.4 x"))
    assert a.status == S.EXIT_PUBLICIZING and a.publicity_backdated
    # a later 公示 that starts on its day clears the flag (the flag is about the current 公示)
    b = make_active()
    lc.archive_exit_request(actor=actor_of(users.county), archive=b, reason="脱困")
    b = lc.archive_exit_approve(actor=reviewer, archive=b, publicity_start=TODAY, today=TODAY)
    assert not b.publicity_backdated


def test_the_flag_is_shown_to_the_reviewer_and_the_outsider_reaches_nothing(client, users, filed):
    a = verify(users, verifying(users, filed), TODAY - timedelta(days=3), publicity_reason="补录说明",
               publicity_record=SimpleUploadedFile("公示.png", PNG, content_type="image/png"))
    client.force_login(users.colleague)
    page = client.get(reverse("archive_detail", args=[a.pk])).content.decode()
    assert 'id="publicity-backdated"' in page and "补录说明" in page
    assert reverse("attachment_download", args=[a.publicity_record.pk]) in page
    detail = client.get(f"/api/archives/{a.pk}").json()
    assert detail["publicity_backdated"] is True and detail["publicity_late_reason"] == "补录说明"
    client.force_login(users.outsider)
    assert client.get(reverse("archive_detail", args=[a.pk])).status_code == 404
    assert client.get(reverse("attachment_download", args=[a.publicity_record.pk])).status_code == 404
    b = Archive.objects.get(pk=a.pk)
    r = client.post(reverse("archive_verify", args=[b.pk]), {"visited_on": "2025-12-01", "visitors": "x",
                                                             "findings": "x", "publicity_start": "2025-12-01"})
    assert r.status_code == 404


def test_the_verify_form_sends_the_record_as_a_file(client, users, filed):
    a = verifying(users, filed)
    client.force_login(users.county)
    page = client.get(reverse("archive_detail", args=[a.pk])).content.decode()
    form = page.split('id="step-verify"')[1].split("</form>")[0]
    assert 'enctype="multipart/form-data"' in form and 'type="file" name="publicity_record"' in form
    assert 'name="publicity_reason"' in form
