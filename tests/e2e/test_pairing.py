"""结对帮扶 on a phone (390×844): the cadre finds the due visit in 待办, opens the visit form, which fits the screen
without sideways scrolling, records a visit with a photo and sees it on the household's page. Screenshots in
test-artifacts/pairing-*.png."""

from datetime import date

from tests.archives.factories import archive_input
from tests.conftest import actor_of
from tests.e2e.test_archives import log_in
from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.archives.services import archive_file
from warmth.pairing import services
from warmth.pairing.models import PairingVisit

PHONE = {"width": 390, "height": 844}
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_the_cadre_records_a_due_visit_on_a_phone(live_server, users, tree, page, shot, tmp_path):
    a = archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input())
    Archive.objects.filter(pk=a.pk).update(status=ArchiveStatus.ACTIVE)
    a.refresh_from_db()
    p = services.pairing_assign(actor=actor_of(users.county), archive=a, cadre=users.county,
                                started_on=date(2025, 1, 2))
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "county")
    page.goto(f"{live_server.url}/todo/")
    link = page.locator(f"tr.todo-pairing[data-id='{p.pk}'] a")
    assert "逾期" in page.locator(f"tr.todo-pairing[data-id='{p.pk}']").inner_text()
    link.click()
    page.wait_for_selector("#visit-form")
    shot(page, "pairing-visit-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    for sel in ("#v-date", "#v-findings", "#v-photos", "#visit-form button[type=submit]"):
        box = page.locator(sel).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (sel, box)
    assert page.locator("#v-findings").bounding_box()["width"] >= 300  # the text box takes the phone's width
    photo = tmp_path / "家访.png"
    photo.write_bytes(PNG)
    page.fill("#v-date", "2025-06-01")
    page.fill("#v-findings", "家中老人住院，子女在读")
    page.fill("#v-needs", "医疗救助")
    page.set_input_files("#v-photos", str(photo))
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#visits")
    assert "家中老人住院" in page.locator("#visits").inner_text()
    shot(page, "pairing-archive-390")
    assert not page.console_errors
    v = PairingVisit.objects.get()
    assert len(v.photos) == 1 and v.pairing_id == p.pk
