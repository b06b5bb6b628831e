"""The input policy holds on every write (issue 21): hypothesis takes a valid payload of each POST route, API
and HTML form alike, and replaces some of its fields with text drawn from the whole of Unicode (lone
surrogates and control characters included), text longer than any field, or huge numbers. As the victim's
own handler (inside the subtree, so the request reaches validation): never a server error, and a refused
request writes nothing (the access sweep's snapshot of every table is unchanged).

The routes are the access sweep's table, which ``test_every_route_is_in_the_sweep`` keeps equal to the URL
patterns; ``test_every_api_write_is_fuzzed`` checks the ninja operations against it too, so a new route is
covered as soon as it exists. The default run is short (the ``warmth-input`` settings profile,
``WARMTH_FUZZ_INPUT_EXAMPLES``, 150 requests); ``WARMTH_FUZZ_INPUT_EXAMPLES=5000`` for a long run. Run it on
PostgreSQL too (``DATABASE_URL``): PostgreSQL refuses NUL in text, so a NUL that slipped through would be a 500
there and not on SQLite.

HTML forms are posted as raw ``application/x-www-form-urlencoded`` bytes (a lone surrogate encoded with
``surrogatepass``, i.e. invalid UTF-8, as a hostile client could send it); the two routes that upload a file
are posted as multipart, where a lone surrogate is sent as U+FFFD (what the server decodes invalid bytes to)."""

import json
import os
import re
from urllib.parse import quote_plus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.archives.factories import new_id
from tests.conftest import actor_of
from tests.test_access_sweep import ROUTES, _built, snapshot, tree, users, world  # noqa: F401 (fixtures)
from warmth.orgs.services import token_create

settings.register_profile(
    "warmth-input", max_examples=int(os.environ.get("WARMTH_FUZZ_INPUT_EXAMPLES", "150")), deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile("warmth-input")

# Routes whose writes on refusal are part of the rule itself: a wrong old password is counted (lock-out).
REFUSAL_WRITES = {"password_change": {"users"}}
# Logging out would end the session the next examples post with.
SKIP = {"logout"}

# --- valid base payloads: the sweep's, except where a fuller one reaches every field --------------------------

ARCHIVE_HEAD = {
    "category": "低保户", "name": "王建华", "ethnicity": "汉族", "political_status": "群众", "health": "疾病",
    "disability_type": "无", "identity": "下（待）岗", "model_worker_type": "非劳模", "housing_type": "租房",
    "housing_area": "20至50", "postcode": "610041", "phone": "13912345678", "work_start_date": "1995-07-01",
    "industry": "机电系统", "marital_status": "已婚", "hukou_type": "非农业", "address": "成都市武侯区某街道12号",
    "employer": "成都某机械厂", "employer_type": "国有企业", "enterprise_status": "关闭破产企业",
    "monthly_income": "850.00", "household_annual_income": "14400", "household_size": "2",
    "hukou_region_code": "510107", "remarks": "入户核查属实", "rigid_expenses": "", "hardship_costs": "",
    "dibao_monthly": "", "dibao_from": "", "dibao_to": "",
}
MEMBER = {"name": "李秀兰", "relation": "妻子", "political_status": "群众", "health": "良好", "identity": "失（无）业",
          "monthly_income": "600", "school_or_employer": "某街道"}


def archive_form() -> dict:
    return {**ARCHIVE_HEAD, "org_code": "510107", "id_number": new_id(sex="男"), "cause_1": "本人大病",
            "cause_2": "", "cause_3": "", "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "8",
            **{f"members-0-{k}": v for k, v in MEMBER.items()}, "members-0-id_number": new_id(sex="女")}


def archive_json() -> dict:
    head = {k: v for k, v in ARCHIVE_HEAD.items() if v != ""}
    return {**head, "household_size": 2, "org": "510107", "id_number": new_id(sex="男"), "causes": ["本人大病"],
            "members": [{**MEMBER, "id_number": new_id(sex="女")}]}


BASES = {
    "archive_create": archive_form,
    "api:archive_create": archive_json,
    "api:archive_update": lambda: {k: v for k, v in archive_json().items() if k not in ("org", "id_number")},
}


def base_payload(name: str, values: dict) -> dict:
    """The route's valid payload with the world's ids filled in (a dict: form fields or a JSON object)."""
    if name in BASES:
        return BASES[name]()
    route = ROUTES[name]
    if route.json is not None:
        body = route.json
        for key, value in values.items():
            body = body.replace("{" + key + "}", str(value))
        return json.loads(body)
    return {k: v.format(**values) for k, v in route.data}


WRITES = sorted(n for n, r in ROUTES.items() if r.method == "POST" and n not in SKIP)

# Who posts: the user whose role may do it (so the request reaches validation instead of a 403); now and then
# another of them. Rules by the route's name, first match wins.
ACTORS = ("owner", "colleague", "finance", "leader", "admin", "county", "root_admin")
ROLE_RULES = (
    (r"report_form|holiday", "root_admin"),  # the national forms and calendar: only an admin of the top org
    (r"user_|org_", "admin"),
    (r"pairing_", "owner"),  # 成都's handler: assigns the cadre, may record a visit of any pairing of its subtree
    (r"plan_confirm|decision|chain|convert|rule", "leader"),
    (r"funds_|payments_confirm", "finance"),
    (r"reject|accept|archive_approve|exit_approve|exit_finalize|exit_cancel|objection_resolve|duplicate_resolve"
     r"|promote|transfer_decide|payment_return|payment_approve|payments_approve|payments_return|report_board"
     r"|reports_approve|reports_return|reports_exempt|reports_duty|evaluation"
     r"|incomecheck_overview|incomecheck_answers|incomecheck_decide", "colleague"),
    (r"report_detail|reports_submit|reports_cells", "county"),
)


def actor_for(name: str) -> str:
    return next((who for pattern, who in ROLE_RULES if re.search(pattern, name)), "owner")

# --- hostile values -----------------------------------------------------------------------------------------

any_char = st.characters(exclude_categories=())  # every code point: surrogates (Cs) and controls (Cc) included
SPECIAL = ["\x00", "甲\x00乙", "\ud800", "名\udfff", "\x1b[2J", "\x01", "\x7f", "\u0085", "   ", "\u3000", "\n",
           "a\r\nb", "\t", "\u202e", "\ufeff", "\uffff", "😀" * 10, "=1+1", "0001-01-01", "9999-12-31",
           "99999999999999999999", "-99999999999999999999", "1e309", "NaN", "-1", "0", "１２３"]
text_values = st.one_of(
    st.text(any_char, max_size=20),
    st.text(any_char, min_size=1, max_size=8).map(lambda s: "张" + s + "明"),
    st.sampled_from(SPECIAL),
    st.integers(min_value=0, max_value=400).map(lambda n: "长" * (2001 + n)),  # beyond the longest field
)
number_values = st.one_of(st.integers(min_value=-(2 ** 80), max_value=2 ** 80), st.just(10 ** 30),
                          st.floats(allow_nan=True, allow_infinity=True))


@st.composite
def cases(draw):
    name = draw(st.sampled_from(WRITES))
    route = ROUTES[name]
    fields = draw(st.lists(st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz_0123456789-"), min_size=1,
                                   max_size=12), max_size=1))  # now and then a field the route does not know
    n = draw(st.integers(min_value=1, max_value=3))
    choices = [draw(st.integers(min_value=0, max_value=10 ** 6)) for _ in range(n)]
    values = [draw(st.one_of(text_values, number_values) if route.json is not None else text_values)
              for _ in range(n + len(fields))]
    member = draw(st.booleans())  # for the archive routes: the hostile value in a family member's field
    who = draw(st.sampled_from(ACTORS)) if draw(st.integers(0, 3)) == 0 else actor_for(name)
    return name, choices, fields, values, member, who


def mutate(name: str, body: dict, choices: list[int], extra: list[str], values: list) -> dict:
    keys = [k for k in body if not k.startswith("members-") or k.endswith(("-name", "-school_or_employer"))]
    targets = [keys[c % len(keys)] for c in choices] if keys else []
    for key, value in zip(targets + extra, values, strict=False):
        body[key] = value if ROUTES[name].json is not None else str(value)
    return body


# --- encoding as a hostile client would ---------------------------------------------------------------------

def _bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogatepass")


def form_body(data: dict) -> bytes:
    return b"&".join(quote_plus(_bytes(k)).encode() + b"=" + quote_plus(_bytes(v)).encode() for k, v in data.items())


def replaced(s: str) -> str:
    return _bytes(s).decode("utf-8", "replace")


def post(client, name: str, path: str, body: dict, bearer: str):
    route = ROUTES[name]
    if route.json is not None:
        raw = json.dumps(body, ensure_ascii=True, allow_nan=True)  # a lone surrogate travels as "\ud800"
        return client.post(path, raw, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {bearer}")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {bearer}"} if route.api else {}
    if route.files:
        data = {replaced(k): replaced(v) for k, v in body.items()}
        for field, file_name, content in route.files:
            data[field] = SimpleUploadedFile(file_name, content)
        return client.post(path, data, **headers)
    return client.post(path, form_body(body), content_type="application/x-www-form-urlencoded", **headers)


# --- the tests ----------------------------------------------------------------------------------------------

def api_write_patterns() -> list[tuple[str, re.Pattern]]:
    """Every write operation of the ninja API as (method, path regex), read from the routers."""
    from warmth.api import api

    found = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                for method in set(op.methods) - {"GET", "HEAD", "OPTIONS"}:
                    full = "/api/" + re.sub("/+", "/", f"{prefix}/{path}").strip("/")
                    pattern = re.sub(r"\{[^}]*\}", "[^/]+", full)
                    found.append((method, re.compile(pattern + "/?")))
    return found


def test_every_api_write_is_fuzzed(world):  # noqa: F811
    values, _ = world
    fuzzed = [(ROUTES[n].method, ROUTES[n].path.format(**values).split("?")[0]) for n in WRITES if ROUTES[n].api]
    missing = [p.pattern for m, p in api_write_patterns() if not any(fm == m and p.fullmatch(fp) for fm, fp in fuzzed)]
    assert len(api_write_patterns()) > 50 and missing == []


def test_every_html_form_with_fields_is_fuzzed():
    forms = [n for n in WRITES if not ROUTES[n].api and (ROUTES[n].data or n in BASES)]
    assert len(forms) > 40 and "archive_create" in forms and "campaign_duty" in forms


def test_the_text_drawn_covers_surrogates_and_controls():
    assert any_char.validate() is None
    drawn = {ord(c) for s in SPECIAL for c in s}
    assert 0xD800 in drawn and 0 in drawn and 0x1B in drawn


@pytest.fixture
def bearer(users):  # noqa: F811
    return token_create(actor=actor_of(users.owner), name="fuzz-input")[1]


@pytest.fixture
def bearers(users):  # noqa: F811
    """One token per acting user for the whole run (a function-scoped fixture runs once per test)."""
    return {who: token_create(actor=actor_of(getattr(users, who)), name="fuzz-input")[1] for who in ACTORS}


@settings(PROFILE)
@given(case=cases())
def test_hostile_input_never_crashes_and_a_refusal_writes_nothing(client, users, bearers, world, case):  # noqa: F811
    name, choices, extra, hostile, member, who = case
    values, _ = world
    route = ROUTES[name]
    bearer = bearers[who]
    if not route.api:
        client.force_login(getattr(users, who))
    body = base_payload(name, values)
    if member and isinstance(body.get("members"), list):
        body["members"][0] = mutate(name, body["members"][0], choices, [], hostile)
    else:
        body = mutate(name, body, choices, extra, hostile)
    before = snapshot()
    response = post(client, name, route.path.format(**values), body, bearer)
    assert response.status_code < 500, (name, body, response.content[:400])
    refused = response.status_code >= 400 or (not route.api and response.status_code == 200)
    if refused:
        after = snapshot()
        for key in REFUSAL_WRITES.get(name, ()):
            after[key] = before[key]
        assert after == before, (name, body, response.status_code)
    if route.api and response.status_code in (400, 422):
        assert "detail" in response.json(), (name, response.content[:300])


# --- the items of issue 21, one by one ----------------------------------------------------------------------

def api_post(client, bearer, path, body):
    return client.post(path, json.dumps(body, ensure_ascii=True), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {bearer}")


@pytest.mark.parametrize("field", ["name", "address", "employer", "remarks", "phone", "postcode"])
@pytest.mark.parametrize("bad", ["\ud800", "甲\x00乙", "\x01", "\x1b"])
def test_the_archive_api_refuses_bad_characters_in_every_text_field(client, bearer, field, bad):
    before = snapshot()
    response = api_post(client, bearer, "/api/archives/", {**archive_json(), field: bad})
    assert response.status_code == 422 and "含有" in json.dumps(response.json(), ensure_ascii=False)
    member = {**archive_json()}
    member["members"][0]["name"] = bad
    assert api_post(client, bearer, "/api/archives/", member).status_code == 422
    assert snapshot() == before


@pytest.mark.parametrize("field, value, message", [
    ("name", "   ", "请填写姓名"),
    ("hukou_region_code", "", "请填写户口所在地行政区划"),
    ("hukou_region_code", "  ", "请填写户口所在地行政区划"),
    ("address", "长" * 201, "家庭住址不能超过 200 个字（现有 201 个字）"),
    ("remarks", "长" * 2001, "备注不能超过 2000 个字（现有 2001 个字）"),
    ("work_start_date", "0001-01-01", "日期不能早于1900年1月1日"),
    ("work_start_date", "9999-12-31", "日期不能晚于"),
    ("dibao_from", "1899-12-31", "日期不能早于1900年1月1日"),
    ("work_start_date", f"{timezone.localdate().year + 3}-01-01", "工作时间不能晚于"),
    ("household_size", 100, "家庭人口不能大于 99"),
    ("household_size", 2 ** 70, "数字超出范围"),
])
def test_the_api_refuses_what_the_web_form_refuses(client, bearer, field, value, message):
    before = snapshot()
    response = api_post(client, bearer, "/api/archives/", {**archive_json(), field: value})
    assert response.status_code == 422, response.content[:300]
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert snapshot() == before


def test_a_valid_archive_is_still_filed_through_the_api(client, bearer):
    response = api_post(client, bearer, "/api/archives/", {**archive_json(), "remarks": "第一行\n第二行\t缩进"})
    assert response.status_code == 201, response.content[:300]
    assert response.json()["remarks"] == "第一行\n第二行\t缩进"


@pytest.mark.parametrize("path", ["/api/archives/", "/api/payments/", "/api/funds/pots?org=510100", "/api/orgs",
                                  "/api/campaigns/", "/api/funds/raises", "/api/audit/events"])
@pytest.mark.parametrize("query, message", [
    ("offset=99999999999999999999", "起始位置 offset不能大于 10000000"),
    ("offset=-1", "起始位置 offset不能小于 0"),
    ("limit=99999999999999999999", "每页条数 limit不能大于 1000"),
    ("limit=abc", "每页条数 limit须为整数"),
])
def test_api_lists_bound_their_paging_with_a_clear_422(client, users, path, query, message):  # noqa: F811
    bearer = token_create(actor=actor_of(users.auditor if "audit" in path else users.owner), name="p")[1]
    response = client.get(f"{path}{'&' if '?' in path else '?'}{query}", HTTP_AUTHORIZATION=f"Bearer {bearer}")
    assert response.status_code == 422
    assert message in json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.parametrize("value", ["abc", "", "99999999999999999999", "-1", "0", "1.5", "\x00", "１"])
def test_every_bad_identity_switch_is_a_400_with_a_message(client, users, value):  # noqa: F811
    client.force_login(users.owner)
    response = client.post("/switch/", {"membership": value} if value != "\x00" else form_body({"membership": value}),
                           **({} if value != "\x00" else {"content_type": "application/x-www-form-urlencoded"}))
    assert response.status_code == 400
    body = response.content.decode()
    assert "身份" in body or "空字符" in body





@pytest.mark.parametrize("path", ["/api/orgs?q=%00", "/api/archives/?org=510107%00", "/api/orgs/5101%0007"])
def test_a_nul_in_an_api_request_is_a_400_before_any_query(client, bearer, path):
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {bearer}")
    assert response.status_code == 400 and "空字符" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/orgs/?q=%00", "/archives/?org=%00", "/campaigns/?year=20%0025"])
def test_a_nul_in_a_page_request_is_a_400_with_a_message(client, users, path):  # noqa: F811
    client.force_login(users.owner)
    response = client.get(path)
    assert response.status_code == 400 and "空字符" in response.content.decode()


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if "{" in r.path))
def test_a_huge_number_for_any_id_in_a_path_is_not_found(client, users, bearers, world, name):  # noqa: F811
    """Every route that names an object, with each id replaced by a number no database column holds."""
    values, _ = world
    route = ROUTES[name]
    huge = dict.fromkeys(values, "99999999999999999999")
    path = route.path.format(**huge)
    who = actor_for(name)
    if not route.api:
        client.force_login(getattr(users, who))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {bearers[who]}"} if route.api else {}
    body = base_payload(name, values) if route.method == "POST" else None
    if route.method == "GET":
        response = client.get(path, **headers)
    elif route.json is not None:
        response = client.post(path, json.dumps(body), content_type="application/json", **headers)
    else:
        response = client.post(path, form_body(body), content_type="application/x-www-form-urlencoded", **headers)
    assert response.status_code in (400, 404, 422), (name, response.status_code)


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if r.method == "POST" and not r.api))
def test_an_empty_post_to_any_page_is_answered_never_a_crash(client, users, world, name):  # noqa: F811
    """A form sent with no field at all (an empty body) is refused or redisplayed like any incomplete form."""
    values, _ = world
    client.force_login(getattr(users, actor_for(name)))
    response = client.post(ROUTES[name].path.format(**values), "", content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, (name, response.status_code)


@pytest.mark.parametrize("name", ["api:payments_bank_returns", "api:evaluation_findings", "api:incomecheck_answers"])
def test_a_file_refused_line_by_line_through_the_api_carries_a_detail(client, users, bearers, world, name):  # noqa: F811
    """Every API error has a ``detail`` (warmth.api), also a file refused with its 422 summary of problems."""
    values, _ = world
    route = ROUTES[name]
    data = {k: v for k, v in base_payload(name, values).items()}
    data[route.files[0][0]] = SimpleUploadedFile("bad.csv", "甲,乙\n1,2\n".encode())  # no column it knows
    response = client.post(route.path.format(**values), data, HTTP_AUTHORIZATION=f"Bearer {bearers[actor_for(name)]}")
    assert response.status_code == 422, (name, response.status_code, response.content[:300])
    body = response.json()
    assert body["detail"] and body["errors"] and not body["applied"], (name, body)
