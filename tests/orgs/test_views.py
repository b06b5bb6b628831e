"""HTML views of orgs, users and tokens: the owner's case, the colleague's, the outsider's."""

from django.urls import reverse

from tests.conftest import PASSWORD
from warmth.audit.models import AuditEvent
from warmth.orgs.models import AccountStatus, Membership, Org, OrgMove, Role, User
from warmth.orgs.services import membership_create, token_create


def test_the_home_page_shows_the_org_and_role(login, users):
    page = login(users.owner).get(reverse("home")).content.decode()
    assert "成都市总工会" in page and "经办人" in page and "武侯区总工会" in page
    assert "海南" not in page


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_user_without_membership_is_told_so(login, users):
    Membership.objects.filter(user=users.owner).update(is_active=False)
    response = login(users.owner).get(reverse("home"))
    assert response.status_code == 403 and "没有有效的组织任职" in response.content.decode()


def test_the_org_switcher_changes_the_acting_membership(login, users, tree):
    m = membership_create(actor=None, user=users.owner, org=tree.k1, role=Role.REVIEWER)
    client = login(users.owner)
    assert "武侯区总工会 · 审核人" in client.get(reverse("home")).content.decode()
    client.post(reverse("switch"), {"membership": m.pk})
    page = client.get(reverse("home")).content.decode()
    assert 'id="home-org">武侯区总工会' in page and 'id="home-role">审核人' in page


def test_the_switcher_refuses_someone_elses_membership(login, users):
    other = users.outsider.memberships.get()
    assert login(users.owner).post(reverse("switch"), {"membership": other.pk}).status_code == 404


def test_the_org_list_and_search_stay_inside_the_subtree(login, users):
    client = login(users.owner)
    page = client.get(reverse("org_list")).content.decode()
    assert "武侯区总工会" in page and "锦江区总工会" in page
    assert "秀英区" not in client.get(reverse("org_list"), {"q": "区"}).content.decode()
    assert client.get(reverse("org_list"), {"parent": "460000"}).status_code == 404


def test_org_detail_for_the_owner_and_the_outsider(login, users):
    assert login(users.owner).get(reverse("org_detail", args=["510107"])).status_code == 200
    assert login(users.outsider).get(reverse("org_detail", args=["510107"])).status_code == 404


def test_an_admin_adds_and_moves_an_org_through_the_forms(login, users, tree):
    client = login(users.admin)
    response = client.post(reverse("org_create", args=["510104"]),
                           {"name": "锦江区邮政工会", "code": "510104-0009", "level": "grassroots",
                            "region_code": "510104"})
    assert response.status_code == 302
    response = client.post(reverse("org_move", args=["510104-0009"]), {"new_parent": "510107", "reason": "划转"})
    assert response.status_code == 302
    assert Org.objects.get(code="510104-0009").parent == tree.k1
    assert OrgMove.objects.filter(org__code="510104-0009").count() == 1


def test_the_org_form_shows_errors_in_chinese_and_writes_nothing(login, users):
    response = login(users.admin).post(reverse("org_create", args=["510104"]),
                                       {"name": "重复", "code": "510107", "level": "grassroots"})
    assert response.status_code == 200 and "已被使用" in response.content.decode()
    assert Org.objects.filter(code="510107").count() == 1


def test_a_handler_may_not_open_the_org_forms(login, users):
    client = login(users.owner)
    assert client.get(reverse("org_create", args=["510107"])).status_code == 403
    assert client.get(reverse("org_move", args=["510107"])).status_code == 403


def test_the_outsider_cannot_move_an_org_of_another_subtree(login, users, tree):
    admin_hn = User.objects.create(username="hnadmin", is_active=True)
    Membership.objects.create(user=admin_hn, org=tree.p2, role=Role.ADMIN)
    response = login(admin_hn).post(reverse("org_move", args=["510107"]), {"new_parent": "460000", "reason": "x"})
    assert response.status_code == 404
    assert Org.objects.get(code="510107").parent == tree.c1


def test_an_admin_creates_an_account_and_another_admin_approves_it(login, users):
    client = login(users.admin)
    response = client.post(reverse("user_create"), {
        "username": "zhangsan", "full_name": "张三", "phone": "13900001111", "org": "510107",
        "role": Role.HANDLER, "password": PASSWORD})
    assert response.status_code == 302
    new = User.objects.get(username="zhangsan")
    assert new.status == AccountStatus.PENDING
    assert login(users.admin).post(reverse("user_approve", args=[new.pk])).status_code == 302
    assert User.objects.get(pk=new.pk).status == AccountStatus.PENDING  # creator may not approve
    login(users.admin2).post(reverse("user_approve", args=[new.pk]))
    assert User.objects.get(pk=new.pk).status == AccountStatus.ACTIVE


def test_the_user_form_refuses_a_weak_password_in_chinese(login, users):
    response = login(users.admin).post(reverse("user_create"), {
        "username": "lisi", "full_name": "李四", "org": "510107", "role": Role.HANDLER, "password": "abcdefgh"})
    assert "至少3类" in response.content.decode()
    assert not User.objects.filter(username="lisi").exists()


def test_phone_numbers_are_masked_and_revealing_one_is_logged(login, users):
    client = login(users.colleague)
    page = client.get(reverse("user_detail", args=[users.owner.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    page = client.get(reverse("user_detail", args=[users.owner.pk]), {"reveal": "phone"}).content.decode()
    assert "13812345678" in page
    assert AuditEvent.objects.filter(action="pii.view", actor=users.colleague,
                                     object_id=str(users.owner.pk)).count() == 1


def test_an_admin_sees_masked_data_and_may_not_reveal_it(login, users):
    client = login(users.admin)
    assert "138****5678" in client.get(reverse("user_detail", args=[users.owner.pk])).content.decode()
    assert client.get(reverse("user_detail", args=[users.owner.pk]), {"reveal": "phone"}).status_code == 403


def test_user_pages_for_the_outsider(login, users):
    client = login(users.outsider)
    assert client.get(reverse("user_detail", args=[users.owner.pk])).status_code == 404
    assert "张小明" not in client.get(reverse("user_list")).content.decode()


def test_tokens_are_shown_once_and_belong_to_their_user(login, users):
    client = login(users.owner)
    page = client.post(reverse("token_list"), {"name": "报表对接"}, follow=True).content.decode()
    assert 'id="new-token">wt_' in page
    token = users.owner.memberships.get().api_tokens.get()
    assert "wt_" not in client.get(reverse("token_list")).content.decode().split("<table")[0]  # shown once
    assert users.owner.memberships.get().api_tokens.count() == 1  # reloading the page made no second token
    assert login(users.outsider).post(reverse("token_revoke", args=[token.pk])).status_code == 404
    assert login(users.owner).post(reverse("token_revoke", args=[token.pk])).status_code == 302


def test_the_permission_matrix_page_lists_every_role(login, users):
    page = login(users.owner).get(reverse("permissions")).content.decode()
    for label in ("经办人", "审核人", "领导", "财务", "经审/纪检", "系统管理员"):
        assert label in page


def test_error_pages_are_chinese(login, users):
    response = login(users.owner).get("/no/such/page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_token_create_helper_is_usable_from_tests(users):
    from tests.conftest import actor_of

    assert token_create(actor=actor_of(users.owner), name="x")[1].startswith("wt_")


def test_a_user_changes_their_password_and_weak_ones_are_refused(login, users):
    client = login(users.owner)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"})
    assert response.status_code == 200 and "至少3类" in response.content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Newpass@2026", "new_password2": "Newpass@2026"})
    assert response.status_code == 302
    assert User.objects.get(pk=users.owner.pk).check_password("Newpass@2026")
    assert AuditEvent.objects.filter(action="user.password", actor=users.owner).exists()
    assert client.get(reverse("home")).status_code == 200  # still logged in after the change



def test_a_password_cannot_be_changed_to_itself(login, users):
    from warmth.orgs.models import User

    before = User.objects.get(pk=users.owner.pk).password
    response = login(users.owner).post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 200 and "新密码不能与原密码相同" in response.content.decode()
    assert User.objects.get(pk=users.owner.pk).password == before
    assert not AuditEvent.objects.filter(action="user.password", actor=users.owner).exists()


def test_the_org_form_offers_only_levels_allowed_under_the_parent(login, users):
    page = login(users.admin).get(reverse("org_create", args=["510107"])).content.decode()
    assert "基层工会" in page and "乡镇(街道)工会" in page and "全国总工会" not in page
    response = login(users.admin).post(reverse("org_create", args=["510107"]),
                                       {"name": "假全总", "code": "510107-0099", "level": "national"})
    assert response.status_code == 200 and not Org.objects.filter(code="510107-0099").exists()


def test_a_bad_parent_code_on_the_move_form_is_a_field_error_not_a_404(login, users):
    for code in ("123", "460000"):
        response = login(users.admin).post(reverse("org_move", args=["510107-0001"]),
                                           {"new_parent": code, "reason": "保留原因"})
        page = response.content.decode()
        assert response.status_code == 200 and "不在您的管辖范围内" in page and "保留原因" in page


def test_the_creator_sees_no_approve_button_on_their_own_pending_account(login, users):
    from tests.conftest import actor_of
    from warmth.orgs.services import user_create

    new = user_create(actor=actor_of(users.admin), username="zhaoliu", full_name="赵六", password=PASSWORD,
                      org=users.owner.memberships.get().org, role=Role.HANDLER)
    assert "审批通过" not in login(users.admin).get(reverse("user_detail", args=[new.pk])).content.decode()
    assert "审批通过" in login(users.admin2).get(reverse("user_detail", args=[new.pk])).content.decode()


def test_logged_in_pages_are_not_cached(login, users):
    response = login(users.owner).get(reverse("home"))
    assert "no-store" in response.headers["Cache-Control"]


def test_login_with_next_pointing_at_login_does_not_loop(login, users):
    response = login(users.owner).get(reverse("login") + "?next=/login/")
    assert response.status_code == 302 and response.url == reverse("home")
