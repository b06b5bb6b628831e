"""待办 and bulk work in a real browser: the header's count and the home page's panel load after the page; the
reviewer ticks two payments, the bulk bar enables 审批通过 only when every ticked row allows it, and the job page
says what was done."""

from tests.archives.conftest import make_active  # noqa: F401 (fixture)
from tests.conftest import actor_of, make_user
from tests.e2e.test_archives import log_in
from tests.funds.factories import decided, raised
from tests.payments.test_services import ACCOUNT
from warmth.orgs.models import Role, User
from warmth.payments.models import Payment
from warmth.payments.services import chain_set, payment_create, payment_submit
from warmth.todo.queries import todo_for


def test_the_todo_count_panel_and_the_bulk_bar(live_server, users, tree, page, shot, make_active):  # noqa: F811
    k1_finance = actor_of(make_user("k1_fin", tree.k1, Role.FINANCE))
    k1_leader = make_user("k1_lead", tree.k1, Role.LEADER)
    make_user("k1_rev", tree.k1, Role.REVIEWER)
    pot = raised(k1_finance, tree.k1, "10000")
    decided(actor_of(k1_leader), pot)
    chain_set(actor=actor_of(k1_leader), org=tree.k1, steps=["单位(工会)意见", "区(产业)工会意见"], threshold="5000",
              extra_step="单位领导")
    handler = actor_of(users.county)
    made = []
    for _ in range(2):
        p = payment_create(actor=handler, pot=pot, aid_type="送温暖慰问", amount="300", method="bank",
                           archive=make_active(), bank_account=ACCOUNT)
        payment_submit(actor=handler, payment=p)
        made.append(p)

    log_in(page, live_server, "k1_rev")
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#todo-count")
    # the two payments at their first step, and the two households of the same name and birth day to tell apart
    kinds = [i.kind for i in todo_for(actor_of(User.objects.get(username="k1_rev"))).items]
    assert sorted(kinds) == ["duplicate", "payment", "payment"]
    assert page.inner_text("#todo-count") == "3"
    page.wait_for_selector("#todo-panel")
    assert page.inner_text("#todo-panel").count("去办理") == 3
    shot(page, "todo-home")
    page.goto(f"{live_server.url}/payments/")
    assert page.is_disabled("#bulk-approve")  # nothing ticked yet
    page.check("#bulk-all")
    assert page.is_enabled("#bulk-approve") and page.is_enabled("#bulk-return")
    page.fill("#bulk-note", "经集体研究，同意")
    shot(page, "payments-bulk-bar")
    page.click("#bulk-approve")
    page.wait_for_selector(".status-done", timeout=20000)
    assert "已办理 2 笔" in page.inner_text("main")
    shot(page, "payments-bulk-job")
    assert {p.step for p in Payment.objects.filter(pk__in=[p.pk for p in made])} == {1}
