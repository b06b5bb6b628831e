"""Every URL pattern and API route, tried as an anonymous visitor, as outsiders from a sibling subtree (in
three roles) and, for writes, as the read-only 经审 user of the victim's own subtree. A new route without an
entry in ROUTES fails ``test_every_route_is_in_the_sweep``."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import URLResolver, get_resolver

from tests.conftest import actor_of, make_user
from warmth.archives.models import (
    Archive,
    ArchiveReview,
    ArchiveStep,
    AssistancePlan,
    Attachment,
    DuplicateFlag,
    Objection,
    Transfer,
)
from warmth.campaigns.models import Activity, ArrearsReport, Campaign, DutyShift, PlannedHousehold, VisitGroup
from warmth.centers.models import Center, CenterFunding, Partner, Station
from warmth.core.models import CalendarDay
from warmth.evaluation.models import Case, Sample
from warmth.funds.models import (
    Allocation,
    AllocationPlan,
    AllocationPlanLine,
    Decision,
    FundPot,
    FundRaise,
    LedgerEntry,
    RuleSetting,
)
from warmth.incomecheck.models import Authorization, Check, CheckBatch
from warmth.jobs.models import Job
from warmth.orgs.models import ApiToken, Membership, Org, OrgMove, Role, User
from warmth.orgs.services import token_create, user_create
from warmth.pairing.models import Pairing, PairingVisit
from warmth.payments.models import ApprovalChain, Payment, PaymentStep
from warmth.reports.definitions import package_forms
from warmth.reports.models import Cell, Report, ReportDuty, ReportForm, ReportStep
from warmth.visits.models import Visit

# Text that belongs to the victim's subtree (成都市总工会 and below) and must never reach an outsider.
LEAK_MARKERS = ["成都市", "武侯区", "锦江区", "张小明", "510107", "510104", "受害人令牌"]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {org}, {user}, {token}, {job}, {membership} placeholders for the victim's objects
    api: bool = False
    public: bool = False  # reachable without login
    self_only: bool = False  # acts only on the caller's own things (logout, own token list, own jobs…)
    data: tuple = ()
    json: str | None = None
    files: tuple = ()  # (field, file name, content) sent as multipart with ``data``
    read: bool = False  # a POST that writes nothing (a check, an export): the 经审 may call it in its subtree


ROUTES: dict[str, Route] = {
    "home": Route("GET", "/"),
    "healthz": Route("GET", "/healthz", public=True),
    "login": Route("GET", "/login/", public=True),
    "logout": Route("POST", "/logout/", self_only=True),
    "password_change": Route("POST", "/password/", self_only=True, data=(
        ("old_password", "Warmth@2025"), ("new_password1", "Newpass@2026"), ("new_password2", "Newpass@2026"))),
    "switch": Route("POST", "/switch/", data=(("membership", "{membership}"),)),
    "permissions": Route("GET", "/permissions/"),
    "org_list": Route("GET", "/orgs/"),
    "org_detail": Route("GET", "/orgs/{org}/"),
    "org_create": Route("POST", "/orgs/{org}/new/",
                        data=(("name", "新工会"), ("code", "NEW-1"), ("level", "grassroots"))),
    "org_move": Route("POST", "/orgs/{org}/move/", data=(("new_parent", "510104"), ("reason", "x"))),
    "user_list": Route("GET", "/users/"),
    "user_create": Route("POST", "/users/new/", data=(
        ("username", "sweepuser"), ("full_name", "扫描"), ("org", "510107"), ("role", "handler"),
        ("password", "Warmth@2025"))),
    "user_detail": Route("GET", "/users/{user}/"),
    "user_approve": Route("POST", "/users/{user}/approve/"),
    "user_disable": Route("POST", "/users/{user}/disable/"),
    "user_unlock": Route("POST", "/users/{user}/unlock/"),
    "token_list": Route("GET", "/tokens/", self_only=True),
    "token_revoke": Route("POST", "/tokens/{token}/revoke/"),
    "audit_list": Route("GET", "/audit/"),
    "audit_export": Route("POST", "/audit/export/", self_only=True),
    "job_list": Route("GET", "/jobs/", self_only=True),
    "todo": Route("GET", "/todo/", self_only=True),
    "todo_count": Route("GET", "/todo/count/", self_only=True),
    "todo_panel": Route("GET", "/todo/panel/", self_only=True),
    "job_detail": Route("GET", "/jobs/{job}/"),
    "job_progress": Route("GET", "/jobs/{job}/progress/"),
    "job_download": Route("GET", "/jobs/{job}/download/"),
    "api:api-root": Route("GET", "/api/", api=True),
    "api:openapi-json": Route("GET", "/api/openapi.json", self_only=True),
    "api:openapi-view": Route("GET", "/api/docs", self_only=True),
    "api:me": Route("GET", "/api/me", api=True, self_only=True),
    "api:org_list": Route("GET", "/api/orgs", api=True),
    "api:org_detail": Route("GET", "/api/orgs/{org}", api=True),
    "api:org_create": Route("POST", "/api/orgs/{org}/children", api=True,
                            json='{"name": "新工会", "code": "NEW-2", "level": "grassroots"}'),
    "api:org_move": Route("POST", "/api/orgs/{org}/move", api=True, json='{"new_parent": "510104"}'),
    "api:events": Route("GET", "/api/audit/events", api=True),
    # archives (HTML)
    "archive_list": Route("GET", "/archives/"),
    "archive_create": Route("POST", "/archives/new/", data=(("name", "扫描"),)),
    "archive_suggest": Route("GET", "/archives/suggest/"),
    "archive_import": Route("POST", "/archives/import/", data=(("org", "510107"), ("dry_run", "on"))),
    # export is a read (the 经审 may export its own subtree): a job of one's own, refused outside the subtree
    "archive_export": Route("POST", "/archives/export/", self_only=True, data=(("org", "510107"),)),
    "archive_template": Route("GET", "/archives/template/", self_only=True),
    "archive_region": Route("GET", "/archives/region/"),
    "archive_care": Route("GET", "/archives/care/due/"),
    "archive_detail": Route("GET", "/archives/{archive}/"),
    "archive_edit": Route("POST", "/archives/{archive}/edit/", data=(("name", "扫描"),)),
    "archive_pdf": Route("GET", "/archives/{archive}/pdf/"),
    "archive_promote": Route("POST", "/archives/{archive}/promote/"),
    "archive_plan": Route("POST", "/archives/{archive}/plan/", data=(
        ("needs", "x"), ("measures", "x"), ("contact_name", "x"), ("next_visit_date", "2030-01-01"))),
    "archive_attachments": Route("POST", "/archives/{archive}/attachments/", data=(("kind", "其他"),)),
    "archive_reviews": Route("POST", "/archives/{archive}/reviews/", data=(("year", "2026"), ("result", "继续在档"))),
    "archive_objections": Route("POST", "/archives/{publicizing}/objections/", data=(
        ("received_on", "2026-01-05"), ("content", "x"))),
    "archive_objection_resolve": Route("POST", "/archives/{publicizing}/objections/{objection}/resolve/",
                                       data=(("resolution", "x"),)),
    "archive_duplicate_resolve": Route("POST", "/archives/{publicizing}/duplicates/{flag}/resolve/",
                                       data=(("resolution", "duplicate"),)),
    "archive_transfer": Route("POST", "/archives/{archive}/transfer/", data=(("to_org", "460105"), ("reason", "x"))),
    "attachment_download": Route("GET", "/archives/attachments/{attachment}/"),
    "attachment_withdraw": Route("POST", "/archives/attachments/{attachment}/withdraw/"),
    "transfer_decide": Route("POST", "/archives/transfers/{transfer}/decide/", data=(("decision", "accept"),)),
    "archive_submit": Route("POST", "/archives/{archive}/submit/"),
    "archive_accept": Route("POST", "/archives/{archive}/accept/"),
    "archive_return": Route("POST", "/archives/{archive}/return/", data=(("reason", "x"),)),
    "archive_verify": Route("POST", "/archives/{archive}/verify/", data=(
        ("visited_on", "2026-01-05"), ("visitors", "x"), ("findings", "x"))),
    "archive_end_publicity": Route("POST", "/archives/{publicizing}/end-publicity/"),
    "archive_approve": Route("POST", "/archives/{archive}/approve/"),
    "archive_reject": Route("POST", "/archives/{archive}/reject/", data=(("reason", "x"),)),
    "archive_exit_request": Route("POST", "/archives/{archive}/exit-request/", data=(("reason", "脱困"),)),
    "archive_exit_cancel": Route("POST", "/archives/{archive}/exit-cancel/", data=(("reason", "x"),)),
    "archive_exit_approve": Route("POST", "/archives/{archive}/exit-approve/"),
    "archive_exit_finalize": Route("POST", "/archives/{archive}/exit-finalize/"),
    # archives (API)
    "api:archive_list": Route("GET", "/api/archives/", api=True),
    "api:archive_search": Route("POST", "/api/archives/search", api=True, self_only=True, json='{"q": "张小明"}'),
    "api:archive_create": Route("POST", "/api/archives/", api=True, json='{"org": "510107", "name": "扫描"}'),
    "api:suggest_category": Route("GET", "/api/archives/suggest-category?household_annual_income=12000"
                                  "&household_size=2&region_code=510107", api=True),
    "api:transfer_list": Route("GET", "/api/archives/transfers", api=True),
    "api:transfer_decide": Route("POST", "/api/archives/transfers/{transfer}/decide", api=True,
                                 json='{"accept": true}'),
    "api:archive_detail": Route("GET", "/api/archives/{archive}", api=True),
    "api:archive_update": Route("POST", "/api/archives/{archive}/update", api=True, json='{"name": "改名"}'),
    "api:archive_submit": Route("POST", "/api/archives/{archive}/submit", api=True),
    "api:archive_accept": Route("POST", "/api/archives/{archive}/accept", api=True, json="{}"),
    "api:archive_return": Route("POST", "/api/archives/{archive}/return", api=True, json='{"reason": "x"}'),
    "api:archive_verify": Route("POST", "/api/archives/{archive}/verify", api=True,
                                json='{"visited_on": "2025-01-06", "visitors": "甲", "findings": "乙"}'),
    "api:archive_end_publicity": Route("POST", "/api/archives/{publicizing}/end-publicity", api=True),
    "api:archive_approve": Route("POST", "/api/archives/{archive}/approve", api=True, json="{}"),
    "api:archive_reject": Route("POST", "/api/archives/{archive}/reject", api=True, json='{"reason": "x"}'),
    "api:archive_exit_request": Route("POST", "/api/archives/{archive}/exit-request", api=True,
                                      json='{"reason": "脱困"}'),
    "api:archive_exit_cancel": Route("POST", "/api/archives/{archive}/exit-cancel", api=True,
                                     json='{"reason": "x"}'),
    "api:archive_exit_approve": Route("POST", "/api/archives/{archive}/exit-approve", api=True, json="{}"),
    "api:archive_exit_finalize": Route("POST", "/api/archives/{archive}/exit-finalize", api=True),
    "api:archive_promote": Route("POST", "/api/archives/{archive}/promote", api=True),
    "api:objection_record": Route("POST", "/api/archives/{publicizing}/objections", api=True,
                                  json='{"received_on": "2025-01-07", "content": "x"}'),
    "api:objection_resolve": Route("POST", "/api/archives/{publicizing}/objections/{objection}/resolve", api=True,
                                   json='{"resolution": "x"}'),
    "api:archive_review": Route("POST", "/api/archives/{archive}/review", api=True,
                                json='{"year": 2025, "result": "继续在档"}'),
    "api:archive_plan": Route("POST", "/api/archives/{archive}/plan", api=True, json=(
        '{"needs": "x", "measures": "y", "contact_name": "z", "next_visit_date": "2030-01-01"}')),
    "api:transfer_request": Route("POST", "/api/archives/{archive}/transfer", api=True,
                                  json='{"to_org": "510104", "reason": "x"}'),
    "api:job_detail": Route("GET", "/api/jobs/{job}", api=True),
    # funds (HTML)
    "funds_home": Route("GET", "/funds/?org=510100&year=2025"),
    "funds_export": Route("POST", "/funds/export/", read=True, data=(("org", "510100"), ("year", "2025"))),
    "funds_pots": Route("GET", "/funds/pots/?org=510100&year=2025"),
    "funds_pot": Route("GET", "/funds/pots/{pot}/"),
    "funds_pot_allocate": Route("POST", "/funds/pots/{pot}/allocate/", data=(
        ("to_org", "510107"), ("amount", "1"), ("doc_no", "x号"), ("allocated_on", "2025-12-02"))),
    "funds_pot_plan": Route("POST", "/funds/pots/{pot}/plan/", data=(
        ("total", "100"), ("doc_no", "x号"), ("allocated_on", "2025-12-02"))),
    "funds_pot_convert": Route("POST", "/funds/pots/{pot}/convert/", data=(
        ("amount", "1"), ("decision", "{leftover}"), ("on_date", "2025-12-20"))),
    "funds_pot_check": Route("GET", "/funds/pots/{pot}/check/"),
    "funds_entry_reverse": Route("POST", "/funds/entries/{entry}/reverse/", data=(("reason", "x"),)),
    "funds_raises": Route("POST", "/funds/raises/", data=(
        ("org", "510100"), ("year", "2025"), ("source", "own_union"), ("purpose", "warmth"), ("amount", "1"),
        ("received_on", "2025-12-01"))),
    "funds_allocations": Route("GET", "/funds/allocations/"),
    "funds_plan": Route("POST", "/funds/plans/{plan}/", data=(("line-0", "1"),)),
    "funds_plan_confirm": Route("POST", "/funds/plans/{plan}/confirm/"),
    "funds_plan_cancel": Route("POST", "/funds/plans/{plan}/cancel/", data=(("reason", "x"),)),
    "funds_decisions": Route("POST", "/funds/decisions/?org=510100&year=2025", data=(
        ("kind", "usage_plan"), ("meeting", "会议"), ("held_on", "2025-11-20"), ("summary", "x"),
        ("pots", "{pot}")), files=(("minutes", "纪要.pdf", b"%PDF-1.4 x"),)),
    "funds_decision_minutes": Route("GET", "/funds/decisions/{decision}/minutes/"),
    "funds_rules": Route("POST", "/funds/rules/?org=510100", data=(
        ("code", "spend_by"), ("mode", "off"), ("reason", "x"))),
    # payments (HTML)
    "payment_list": Route("GET", "/payments/"),
    "payment_create": Route("POST", "/payments/new/", data=(
        ("pot", "{pot}"), ("archive_no", "{archive_no}"), ("aid_type", "生活救助"), ("amount", "1"), ("method", "bank"),
        ("bank_account", "6222020200112233445"))),
    "payment_roster": Route("POST", "/payments/roster/", self_only=True, data=(("org", "510107"), ("year", "2025"))),
    "payment_batch": Route("POST", "/payments/batch/", data=(
        ("pot", "{pot}"), ("amount", "1"), ("aid_type", "生活救助"), ("batch", "扫描"))),
    "payment_bank": Route("GET", "/payments/bank/?org=510107&year=2025&format=csv"),
    "payment_notice": Route("GET", "/payments/notice/?org=510107&year=2025"),
    "payment_chain": Route("POST", "/payments/chain/", data=(("org", "510100"), ("steps", "扫描"), ("threshold", "1"),
                                                              ("extra_step", "加签"))),
    "payment_verify": Route("POST", "/payments/verify/", data=(
        ("action", "draw"), ("org", "510107"), ("year", "2025"), ("size", "2"), ("seed", "扫描"))),
    "payment_detail": Route("GET", "/payments/{payment}/"),
    "payment_voucher": Route("GET", "/payments/{payment}/voucher/?full=1"),
    "payment_submit": Route("POST", "/payments/{payment}/submit/"),
    "payment_approve": Route("POST", "/payments/{submitted}/approve/", data=(("note", "同意"),)),
    "payment_return": Route("POST", "/payments/{submitted}/return/", data=(("reason", "x"),)),
    "payment_pay": Route("POST", "/payments/{approved}/pay/", data=(("paid_on", "2026-01-10"),)),
    "payment_confirm": Route("POST", "/payments/{paid}/confirm/"),
    "payment_reverse": Route("POST", "/payments/{approved}/reverse/", data=(("reason", "x"),)),
    "payment_bulk": Route("POST", "/payments/bulk/", data=(("action", "approve"), ("ids", "{submitted}"),
                                                           ("note", "同意"))),
    "payment_edit": Route("POST", "/payments/{payment}/edit/", data=(("amount", "2"),)),
    "payment_cancel": Route("POST", "/payments/{payment}/cancel/", data=(("reason", "x"),)),
    "payment_reverse_request": Route("POST", "/payments/{paid}/reverse_request/", data=(("reason", "x"),)),
    "payment_bank_fail": Route("POST", "/payments/{paid}/bank_fail/", data=(("reason", "x"),)),
    "payment_repay": Route("POST", "/payments/{paid}/repay/", data=(("bank_account", "622202020011223344"),)),
    # the victim's own return file, uploaded by outsiders naming the victim's org: refused before it is read
    "payment_bank_returns": Route("POST", "/payments/bank-returns/", data=(("org", "510107"), ("action", "apply")),
                                  files=(("file", "回盘.csv",
                                          "姓名,账号,金额,结果\n张小明,622202020011223344,800,失败\n".encode()),)),
    "payment_reverse_approve": Route("POST", "/payments/{paid}/reverse_approve/", data=(("note", "x"),)),
    "payment_reverse_reject": Route("POST", "/payments/{paid}/reverse_reject/", data=(("reason", "x"),)),
    # campaigns
    "campaign_list": Route("GET", "/campaigns/"),
    "campaign_create": Route("POST", "/campaigns/new/", data=(("org", "510100"), ("year", "2030"), ("theme", "扫描"))),
    "campaign_detail": Route("GET", "/campaigns/{campaign}/"),
    "campaign_edit": Route("POST", "/campaigns/{campaign}/edit/", data=(("theme", "扫描"),)),
    "campaign_group_create": Route("POST", "/campaigns/{campaign}/groups/new/", data=(
        ("name", "扫描组"), ("leaders", "x"), ("liaison", "y"), ("units", "510107"))),
    "campaign_group_export": Route("GET", "/campaigns/{campaign}/groups/export/?format=pdf"),
    "campaign_group": Route("GET", "/campaigns/groups/{group}/"),
    "campaign_group_plan": Route("POST", "/campaigns/groups/{group}/plan/", data=(
        ("name", "扫描户"), ("klass", "worker"))),
    "campaign_group_checklist": Route("POST", "/campaigns/groups/{group}/checklist/", data=(
        ("route", "扫描"), ("money_collected", "1"))),
    "campaign_household_drop": Route("POST", "/campaigns/households/{household}/drop/", data=(("reason", "x"),)),
    "campaign_visits": Route("GET", "/campaigns/{campaign}/visits/"),
    "campaign_visit_create": Route("POST", "/campaigns/{campaign}/visits/new/", data=(
        ("kind", "enterprise"), ("visited_on", "2026-01-20"), ("visitors", "x"), ("org", "510107"),
        ("enterprise", "扫描企业"))),
    "campaign_visit_void": Route("POST", "/campaigns/visits/{visit}/void/", data=(("reason", "x"),)),
    "campaign_coverage": Route("GET", "/campaigns/{campaign}/coverage/?org=510100&format=xlsx"),
    "never_helped": Route("GET", "/campaigns/never-helped/?org=510107&season=2025"),
    "season_coverage": Route("GET", "/campaigns/coverage/?org=510100&year=2025&format=xlsx"),
    "campaign_activities": Route("POST", "/campaigns/activities/", data=(
        ("kind", "jobs"), ("org", "510107"), ("on_date", "2026-01-10"), ("count", "1"))),
    "campaign_activity_void": Route("POST", "/campaigns/activities/{activity}/void/", data=(("reason", "x"),)),
    "campaign_arrears": Route("POST", "/campaigns/{campaign}/arrears/?org=510107&week=2025-12-05", data=(
        ("week", "2025-12-05"), ("org", "510107"), ("action", "save"))),
    "campaign_duty": Route("POST", "/campaigns/{campaign}/duty/", data=(
        ("org", "510107"), ("on_date", "2026-02-16"), ("starts", "08:00"), ("ends", "17:00"), ("person", "x"),
        ("phone", "02812345678"))),
    "campaign_duty_cancel": Route("POST", "/campaigns/duty/{shift}/cancel/"),
    # reports (HTML): 武侯's submitted report, 成都's board
    "report_index": Route("GET", "/reports/?org=510107&year=2025"),
    "report_detail": Route("POST", "/reports/warmth-2015/2025/?org=510107", data=(
        ("org", "510107"), ("action", "save"), ("value-1.A", "99"))),
    "report_cell": Route("GET", "/reports/warmth-2015/2025/cell/3.A/?org=510107"),
    "report_board": Route("POST", "/reports/warmth-2015/2025/board/?org=510100", data=(
        ("org", "510100"), ("action", "exempt"), ("child", "510104"), ("reason", "x"))),
    "report_download": Route("GET", "/reports/warmth-2015/2025/download/xlsx/?org=510107"),
    # the forms page: only an admin of the top org (none of the sweep's users) manages the national forms
    "report_forms": Route("POST", "/reports/forms/", data=(
        ("source", "{reportform}"), ("form_id", "sweep-copy"), ("year", "2021"))),
    "report_form": Route("POST", "/reports/forms/{reportform}/", data=(
        ("action", "save"), ("title", "t"), ("year", "2020"), ("body", "[]"))),
    "report_form_preview": Route("GET", "/reports/forms/{reportform}/preview/"),
    "report_form_publish": Route("POST", "/reports/forms/{reportform}/publish/"),
    "report_form_retire": Route("POST", "/reports/forms/{reportform}/retire/", data=(("reason", "x"),)),
    # 第三方评估: 成都's sample of its households
    "evaluation_list": Route("POST", "/evaluation/", data=(("org", "510100"), ("name", "扫描样本"),
                                                          ("size_active", "1"))),
    "evaluation_detail": Route("GET", "/evaluation/{sample}/"),
    "evaluation_export": Route("GET", "/evaluation/{sample}/export/"),
    "evaluation_findings": Route("POST", "/evaluation/{sample}/findings/", files=(
        ("file", "f.csv", "样本编号,符合建档条件\n1,否\n".encode()),)),
    "api:evaluation_samples": Route("GET", "/api/evaluation/samples", api=True),
    "api:evaluation_draw": Route("POST", "/api/evaluation/samples", api=True,
                                 json='{"org": "510100", "name": "扫描样本", "sizes": {"active": 1}}'),
    "api:evaluation_rates": Route("GET", "/api/evaluation/samples/{sample}/rates?org=510107", api=True),
    "api:evaluation_findings": Route("POST", "/api/evaluation/samples/{sample}/findings", api=True, files=(
        ("file", "f.csv", "样本编号,符合建档条件\n1,否\n".encode()),)),
    # 收入核对: 成都's batch holding 武侯's household (answered 不一致, not yet decided) and its authorisation
    "incomecheck_overview": Route("POST", "/incomecheck/", data=(("org", "510100"),)),
    "incomecheck_archive": Route("POST", "/incomecheck/archives/{archive}/", data=(
        ("signer", "扫描"), ("signed_on", "2026-01-05"), ("declared", "on"))),
    "incomecheck_authorization_file": Route("GET", "/incomecheck/authorizations/{hcauth}/file/"),
    "incomecheck_batch": Route("GET", "/incomecheck/batches/{hcbatch}/"),
    "incomecheck_export": Route("GET", "/incomecheck/batches/{hcbatch}/export/"),
    "incomecheck_answers": Route("POST", "/incomecheck/batches/{hcbatch}/answers/", files=(
        ("file", "a.csv", "核对编号,结果,核对家庭年收入\n1,一致,\n".encode()),)),
    "incomecheck_decide": Route("POST", "/incomecheck/checks/{hccheck}/decide/", data=(
        ("decision", "exit"), ("note", "扫描"))),
    "api:incomecheck_batches": Route("GET", "/api/incomecheck/batches", api=True),
    "api:incomecheck_rates": Route("GET", "/api/incomecheck/rates?org=510107", api=True),
    "api:incomecheck_answers": Route("POST", "/api/incomecheck/batches/{hcbatch}/answers", api=True, files=(
        ("file", "a.csv", "核对编号,结果\n1,一致\n".encode()),)),
    # 结对帮扶: 武侯's household paired with 武侯's handler, one visit recorded
    "pairing_overview": Route("GET", "/pairing/?org=510107"),
    "pairing_archive": Route("POST", "/pairing/archive/{archive}/", data=(
        ("cadre", "{cadre}"), ("started_on", "2026-01-02"), ("reason", "扫描改派"))),
    "pairing_visit": Route("POST", "/pairing/{pairing}/visit/", data=(
        ("visited_on", "2026-01-03"), ("findings", "扫描走访"))),
    "pairing_photo": Route("GET", "/pairing/visits/{pairing_visit}/photos/1/"),
    "api:pairing_coverage": Route("GET", "/api/pairing/coverage?org=510107", api=True),
    "api:pairing_due": Route("GET", "/api/pairing/due", api=True, self_only=True),
    # the holiday calendar: everyone reads it; only an admin of the top org (none of the sweep's users) writes
    "holidays": Route("POST", "/holidays/", data=(("day", "2099-01-02"), ("kind", "holiday"), ("basis", "x"))),
    "holiday_withdraw": Route("POST", "/holidays/{calendarday}/withdraw/"),
    # reports (API)
    "api:reports_forms": Route("GET", "/api/reports/forms", api=True),
    "api:reports_detail": Route("GET", "/api/reports/warmth-2015/2025?org=510107", api=True),
    "api:reports_cells": Route("POST", "/api/reports/warmth-2015/2025/cells", api=True,
                               json='{"org": "510107", "cells": {"1.A": {"value": "99"}}}'),
    "api:reports_submit": Route("POST", "/api/reports/warmth-2015/2025/submit", api=True,
                                json='{"org": "510107", "filled_by": "x", "phone": "1"}'),
    "api:reports_approve": Route("POST", "/api/reports/warmth-2015/2025/approve", api=True,
                                 json='{"org": "510107", "note": "x"}'),
    "api:reports_return": Route("POST", "/api/reports/warmth-2015/2025/return", api=True,
                                json='{"org": "510107", "reason": "x"}'),
    "api:reports_exempt": Route("POST", "/api/reports/warmth-2015/2025/exempt", api=True,
                                json='{"org": "510107-0001", "reason": "x"}'),
    "api:reports_completeness": Route("GET", "/api/reports/warmth-2015/2025/completeness?org=510100", api=True),
    "api:reports_duty": Route("GET", "/api/reports/warmth-2015/2025/duty?org=510100", api=True),
    "api:reports_duty_set": Route("POST", "/api/reports/warmth-2015/2025/duty", api=True,
                                  json='{"org": "510100", "levels": ["county", "grassroots"], "note": "x"}'),
    # payments (API)
    "api:payments_list": Route("GET", "/api/payments/", api=True),
    "api:payments_detail": Route("GET", "/api/payments/{payment}", api=True),
    "api:payments_create": Route("POST", "/api/payments/", api=True, json=(
        '{"pot": {pot}, "archive_no": "{archive_no}", "aid_type": "生活救助", "amount": "1", "method": "bank", '
        '"bank_account": "6222020200112233445"}')),
    "api:payments_chain": Route("GET", "/api/payments/chain?org=510100", api=True),
    "api:payments_chain_set": Route("POST", "/api/payments/chain", api=True, json=(
        '{"org": "510100", "steps": ["扫描"], "threshold": "1", "extra_step": "加签"}')),
    "api:payments_evaluate": Route("GET", "/api/payments/{payment}/evaluate", api=True),
    "api:payments_submit": Route("POST", "/api/payments/{payment}/submit", api=True),
    "api:payments_approve": Route("POST", "/api/payments/{submitted}/approve", api=True, json='{"note": "x"}'),
    "api:payments_return": Route("POST", "/api/payments/{submitted}/return", api=True, json='{"reason": "x"}'),
    "api:payments_pay": Route("POST", "/api/payments/{approved}/pay", api=True, json="{}"),
    "api:payments_confirm": Route("POST", "/api/payments/{paid}/confirm", api=True),
    "api:payments_reverse": Route("POST", "/api/payments/{approved}/reverse", api=True, json='{"reason": "x"}'),
    "api:todo_list": Route("GET", "/api/todo/", api=True, self_only=True),
    "api:payments_cancel": Route("POST", "/api/payments/{payment}/cancel", api=True, json='{"reason": "x"}'),
    "api:payments_reverse_request": Route("POST", "/api/payments/{paid}/reverse_request", api=True,
                                          json='{"reason": "x"}'),
    "api:payments_bank_fail": Route("POST", "/api/payments/{paid}/bank_fail", api=True, json='{"reason": "x"}'),
    "api:payments_repay": Route("POST", "/api/payments/{paid}/repay", api=True,
                                json='{"bank_account": "622202020011223344"}'),
    "api:payments_bank_returns": Route("POST", "/api/payments/bank-returns", api=True, data=(("org", "510107"),),
                                       files=(("file", "回盘.csv",
                                               "姓名,账号,金额,结果\n张小明,622202020011223344,800,失败\n".encode()),)),
    "api:payments_reverse_approve": Route("POST", "/api/payments/{paid}/reverse_approve", api=True,
                                          json='{"note": "x"}'),
    "api:payments_reverse_reject": Route("POST", "/api/payments/{paid}/reverse_reject", api=True,
                                         json='{"reason": "x"}'),
    "dashboard": Route("GET", "/dashboard/?org=510100&year=2025"),
    "dashboard_season_panel": Route("GET", "/dashboard/season-panel/", self_only=True),  # the caller's own org
    # 帮扶中心
    "center_list": Route("GET", "/centers/?year=2025"),
    "center_create": Route("POST", "/centers/new/", data=(("org", "510107"), ("name", "扫描中心"),
                                                          ("founded_on", "2010-01-01"))),
    "center_detail": Route("GET", "/centers/{center}/"),
    "center_edit": Route("POST", "/centers/{center}/edit/", data=(("name", "扫描"), ("founded_on", "2010-01-01"),
                                                                  ("volunteers", "9"))),
    "center_station_add": Route("POST", "/centers/{center}/stations/new/", data=(
        ("s_kind", "park"), ("s_name", "扫描"), ("s_set_up_on", "2020-01-01"))),
    "center_partner_add": Route("POST", "/centers/{center}/partners/new/", data=(
        ("p_kind", "school"), ("p_name", "扫描"), ("p_agreed_on", "2020-01-01"))),
    "center_funding_add": Route("POST", "/centers/{center}/funding/new/", data=(
        ("f_year", "2025"), ("f_source", "union"), ("f_amount", "9"))),
    "center_station_close": Route("POST", "/centers/stations/{station}/close/", data=(
        ("closed_on", "2025-01-01"), ("reason", "x"))),
    "center_partner_close": Route("POST", "/centers/partners/{partner}/close/", data=(
        ("closed_on", "2025-01-01"), ("reason", "x"))),
    "center_funding_correct": Route("POST", "/centers/funding/{funding}/correct/", data=(
        ("amount", "1"), ("source", "union"), ("reason", "x"))),
    # campaigns (API)
    "api:campaigns_list": Route("GET", "/api/campaigns/", api=True),
    "api:campaigns_create": Route("POST", "/api/campaigns/", api=True,
                                  json='{"org": "510100", "year": 2030, "theme": "扫描"}'),
    "api:campaigns_detail": Route("GET", "/api/campaigns/{campaign}", api=True),
    "api:campaigns_coverage": Route("GET", "/api/campaigns/{campaign}/coverage?org=510100", api=True),
    "api:campaigns_season_coverage": Route("GET", "/api/campaigns/coverage?org=510100&year=2025", api=True),
    "api:campaigns_not_visited": Route("GET", "/api/campaigns/{campaign}/not-visited?org=510100", api=True),
    "api:campaigns_group_create": Route("POST", "/api/campaigns/{campaign}/groups", api=True, json=(
        '{"name": "扫描组", "leaders": "x", "liaison": "y", "units": ["510107"]}')),
    "api:campaigns_group_detail": Route("GET", "/api/campaigns/groups/{group}", api=True),
    "api:campaigns_household_plan": Route("POST", "/api/campaigns/groups/{group}/households", api=True,
                                          json='{"name": "扫描", "klass": "worker"}'),
    "api:campaigns_visit_list": Route("GET", "/api/campaigns/{campaign}/visits", api=True),
    "api:campaigns_visit_create": Route("POST", "/api/campaigns/{campaign}/visits", api=True, json=(
        '{"kind": "enterprise", "visited_on": "2026-01-20", "visitors": "x", "org": "510107", "enterprise": "扫描"}')),
    "api:campaigns_visit_void": Route("POST", "/api/campaigns/visits/{visit}/void", api=True, json='{"reason": "x"}'),
    "api:campaigns_activity_list": Route("GET", "/api/campaigns/activities", api=True),
    "api:campaigns_activity_create": Route("POST", "/api/campaigns/activities", api=True, json=(
        '{"org": "510107", "kind": "jobs", "on_date": "2026-01-10", "count": 1}')),
    "api:campaigns_arrears_week": Route("GET", "/api/campaigns/{campaign}/arrears?week_of=2025-12-05&org=510100",
                                        api=True),
    "api:campaigns_arrears_save": Route("POST", "/api/campaigns/{campaign}/arrears", api=True, json=(
        '{"org": "510107", "week_of": "2025-12-05", "lines": {}}')),
    "api:campaigns_duty_list": Route("GET", "/api/campaigns/{campaign}/duty", api=True),
    "api:campaigns_duty_add": Route("POST", "/api/campaigns/{campaign}/duty", api=True, json=(
        '{"org": "510107", "on_date": "2026-02-16", "starts": "08:00", "ends": "17:00", "person": "x", '
        '"phone": "02812345678"}')),
    # funds (API)
    "api:funds_statement": Route("GET", "/api/funds/statement?org=510100&year=2025", api=True),
    "api:funds_pot_list": Route("GET", "/api/funds/pots?org=510100", api=True),
    "api:funds_pot_detail": Route("GET", "/api/funds/pots/{pot}", api=True),
    "api:funds_pot_entries": Route("GET", "/api/funds/pots/{pot}/entries", api=True),
    "api:funds_raise_list": Route("GET", "/api/funds/raises", api=True),
    "api:funds_raise_create": Route("POST", "/api/funds/raises", api=True, json=(
        '{"org": "510100", "year": 2025, "source": "own_union", "purpose": "warmth", "amount": "1", '
        '"received_on": "2025-12-01"}')),
    "api:funds_allocation_list": Route("GET", "/api/funds/allocations", api=True),
    "api:funds_plan_detail": Route("GET", "/api/funds/plans/{plan}", api=True),
    "api:funds_decision_list": Route("GET", "/api/funds/decisions", api=True),
    "api:funds_decision_detail": Route("GET", "/api/funds/decisions/{decision}", api=True),
    "api:funds_rule_list": Route("GET", "/api/funds/rules?org=510100", api=True),
    "api:funds_pot_allocate": Route("POST", "/api/funds/pots/{pot}/allocate", api=True, json=(
        '{"to_org": "510107", "amount": "1", "doc_no": "x号", "allocated_on": "2025-12-02"}')),
    "api:funds_plan_create": Route("POST", "/api/funds/pots/{pot}/plans", api=True, json=(
        '{"total": "100", "doc_no": "x号", "allocated_on": "2025-12-02"}')),
    "api:funds_plan_set_line": Route("POST", "/api/funds/plans/{plan}/lines", api=True,
                                     json='{"to_org": "510107", "amount": "1"}'),
    "api:funds_plan_confirm": Route("POST", "/api/funds/plans/{plan}/confirm", api=True),
    "api:funds_plan_cancel": Route("POST", "/api/funds/plans/{plan}/cancel", api=True, json='{"reason": "x"}'),
    "api:funds_decision_create": Route("POST", "/api/funds/decisions", api=True, data=(
        ("org", "510100"), ("year", "2025"), ("kind", "usage_plan"), ("meeting", "会议"), ("held_on", "2025-11-20"),
        ("summary", "x"), ("pots", "{pot}")), files=(("minutes", "纪要.pdf", b"%PDF-1.4 x"),)),
    "api:funds_pot_convert": Route("POST", "/api/funds/pots/{pot}/convert", api=True, json=(
        '{"amount": "1", "decision": {leftover}, "on_date": "2025-12-20"}')),
    "api:funds_entry_reverse": Route("POST", "/api/funds/entries/{entry}/reverse", api=True, json='{"reason": "x"}'),
    "api:funds_pot_evaluate": Route("POST", "/api/funds/pots/{pot}/evaluate", api=True, read=True,
                                    json='{"amount": "100", "method": "bank"}'),
    "api:funds_rule_set": Route("POST", "/api/funds/rules", api=True, json=(
        '{"org": "510100", "code": "spend_by", "mode": "off", "reason": "x"}')),
}


def all_route_names():
    def walk(patterns, ns=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or ns)
            else:
                yield f"{ns}:{p.name}" if ns else p.name

    return set(walk(get_resolver().url_patterns))


def test_every_route_is_in_the_sweep():
    names = all_route_names()
    assert names - set(ROUTES) == set(), "new routes need an entry in the access sweep"
    assert set(ROUTES) - names == set(), "the sweep lists routes that no longer exist"


@pytest.fixture(scope="module")
def _built(django_db_setup, django_db_blocker):
    """The tree, the users and the victim's world, built once for the whole module inside one transaction that
    is rolled back at the end; each test runs in a savepoint inside it (its writes are undone after it)."""
    from django.db import connection, transaction

    from tests.conftest import build_tree, build_users
    from warmth.audit import triggers
    from warmth.funds import triggers as ledger_triggers

    with django_db_blocker.unblock(), transaction.atomic():
        triggers.install(connection)
        ledger_triggers.install(connection)
        tree = build_tree()
        users = build_users(tree)
        values, outsiders = build_world(users, tree)
        yield SimpleNamespace(tree=tree, users=users, values=values, outsiders=outsiders)
        transaction.set_rollback(True)


@pytest.fixture
def tree(_built, db):
    return _built.tree


@pytest.fixture
def users(_built, db):
    return _built.users


@pytest.fixture
def world(_built, db):
    return _built.values, _built.outsiders


def build_world(users, tree):
    """The victim's objects, all inside 成都市总工会's subtree, and outsiders of three roles in 海南."""
    from django.conf import settings

    victim = users.owner
    pending = user_create(actor=actor_of(users.admin), username="pendingvictim", full_name="张小明",
                          password="Warmth@2025", org=tree.k1, role=Role.HANDLER)
    token, _ = token_create(actor=actor_of(victim), name="受害人令牌")
    a = actor_of(victim)
    job = Job.objects.create(kind="audit.export", title="成都市导出", org=a.org, membership=a.membership,
                             created_by=victim, status="done", result_name="成都市.csv")
    folder = Path(settings.WARMTH_FILES_DIR) / "jobs" / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "audit.csv").write_text("武侯区,张小明\n", encoding="utf-8")  # a real file: a leak would show
    Job.objects.filter(pk=job.pk).update(result_file=f"jobs/{job.pk}/audit.csv")
    outsiders = {
        "handler": users.outsider,
        "admin": make_user("hn_admin", tree.p2, Role.ADMIN),
        "auditor": make_user("hn_auditor", tree.p2, Role.AUDITOR),
    }
    values = {"org": "510107-0001", "user": pending.pk, "token": token.pk, "job": job.pk,
              "membership": victim.memberships.get().pk, **archive_victims(users, tree), **funds_victims(users, tree)}
    values.update(incomecheck_victims(users, tree, values["archive"]))
    return values, outsiders


def incomecheck_victims(users, tree, archive_pk) -> dict:
    """武侯's active household signs the 核对授权书; 成都's reviewer sends it; the centre answers 不一致."""
    from datetime import date

    from django.utils import timezone

    from warmth.incomecheck import services as hc

    archive = Archive.objects.get(pk=archive_pk)
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = hc.authorization_record(actor=actor_of(users.owner), archive=archive, signed_on=date(2026, 1, 5),
                                   signer="张小明", upload=SimpleUploadedFile("授权书.pdf", "%PDF-1.4 张小明".encode()))
    batch = hc.batch_create(actor=actor_of(users.colleague), org=tree.c1, archive_ids=[archive_pk])
    check = batch.checks.get()
    Check.objects.filter(pk=check.pk).update(result="inconsistent", checked_income="90000", note="武侯区张小明",
                                             answered_at=timezone.now())
    return {"hcbatch": batch.pk, "hccheck": check.pk, "hcauth": scan.pk}


def archive_victims(users, tree) -> dict:
    """Archives of 武侯区 (named 张小明): an active one with an attachment and a pending transfer, and one in
    公示 with an objection and a duplicate flag."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.archives.factories import archive_input, new_id
    from warmth.archives import care, lifecycle
    from warmth.archives.services import archive_file

    handler, reviewer = actor_of(users.county), actor_of(users.colleague)

    def to(status_steps, born):
        a = archive_file(actor=handler, org=tree.k1,
                         data=archive_input(id_number=new_id(born=born), member_count=0, name="张小明"))
        day = date(2025, 12, 1)
        for step_ in status_steps:
            if step_ == "submit":
                lifecycle.archive_submit(actor=handler, archive=a)
            elif step_ == "accept":
                lifecycle.archive_accept(actor=reviewer, archive=a)
            elif step_ == "verify":
                lifecycle.archive_verify(actor=handler, archive=a, visited_on=day, visitors="甲", findings="属实",
                                         publicity_start=day, today=day)
            elif step_ == "end":
                lifecycle.archive_end_publicity(actor=handler, archive=a, today=date(2025, 12, 20))
            elif step_ == "approve":
                lifecycle.archive_approve(actor=reviewer, archive=a)
        return a

    active = to(["submit", "accept", "verify", "end", "approve"], date(1970, 1, 1))
    pairing = pairing_victims(users, tree, active)  # paired while 在档, before its transfer is requested
    att = care.attachment_add(actor=handler, archive=active, kind="申请书",
                              upload=SimpleUploadedFile("申请.pdf", "%PDF-1.4 张小明".encode()))
    transfer = lifecycle.transfer_request(actor=handler, archive=active, to_org=tree.k2, reason="迁居")
    publicizing = to(["submit", "accept", "verify"], date(1970, 1, 1))  # same name and birth date: a flag
    objection = lifecycle.objection_record(actor=handler, archive=publicizing, received_on=date(2025, 12, 2),
                                           content="有异议")
    flag = publicizing.duplicate_flags.get()
    return {**pairing, "archive": active.pk, "attachment": att.pk, "transfer": transfer.pk,
            "publicizing": publicizing.pk, "objection": objection.pk, "flag": flag.pk}


def pairing_victims(users, tree, archive) -> dict:
    """武侯's handler as the 结对帮扶 cadre of the active household, with a visit naming 张小明."""
    from warmth.pairing import services as ps

    county = actor_of(users.county)
    archive.refresh_from_db()
    p = ps.pairing_assign(actor=county, archive=archive, cadre=users.county, started_on=date(2025, 12, 20))
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("武侯区.pdf", "%PDF-1.4 武侯区张小明".encode())  # a leak would show in the body
    v = ps.visit_record(actor=county, pairing=p, visited_on=date(2025, 12, 21), findings="武侯区张小明家中",
                        photos=[photo])
    return {"pairing": p.pk, "pairing_visit": v.pk, "cadre": users.owner.pk}


def funds_victims(users, tree) -> dict:
    """成都's money: a pot with a usage and a leftover decision (minutes naming 武侯区), an allocation to
    武侯区 and a draft plan."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from warmth.funds.choices import DecisionKind, FundSource, Purpose
    from warmth.funds.services import allocation_create, allocation_plan_create, decision_record, fund_raise

    finance = actor_of(users.finance)
    leader = actor_of(make_user("c1_leader_sweep", tree.c1, Role.LEADER))
    pot = fund_raise(actor=finance, org=tree.c1, year=2025, source=FundSource.OWN_UNION, purpose=Purpose.WARMTH,
                     amount="10000", received_on=date(2025, 12, 1), doc_no="成都市工[2025]1号").pot

    def decide(kind):
        return decision_record(actor=leader, org=tree.c1, year=2025, kind=kind, meeting="成都市总工会主席办公会议",
                               held_on=date(2025, 11, 20), summary="武侯区张小明", pots=[pot],
                               minutes=SimpleUploadedFile("纪要.pdf", "%PDF-1.4 武侯区张小明".encode()))

    decision, leftover = decide(DecisionKind.USAGE_PLAN), decide(DecisionKind.LEFTOVER)
    alloc = allocation_create(actor=finance, pot=pot, to_org=tree.k1, amount="1000", doc_no="成都市工[2025]2号",
                              allocated_on=date(2025, 12, 2))
    plan = allocation_plan_create(actor=finance, pot=pot, total="100", doc_no="成都市工[2025]3号",
                                  allocated_on=date(2025, 12, 2))
    entry = alloc.from_pot.entries.get(allocation=alloc)
    return {"pot": pot.pk, "decision": decision.pk, "leftover": leftover.pk, "plan": plan.pk, "entry": entry.pk,
            **payment_victims(users, tree, pot, leader), **campaign_victims(users, tree), **report_victims(users, tree),
            **center_victims(tree)}


def center_victims(tree) -> dict:
    """成都's 帮扶中心 (its address names 武侯区's 张小明) with an open station, partner and funding row."""
    from datetime import date

    from warmth.centers import services as cs

    c = cs.center_create(actor=None, org=tree.c1, name="成都市困难职工帮扶中心", founded_on=date(2008, 3, 15),
                         address="武侯区张小明路 1 号")
    st = cs.station_add(actor=None, center=c, kind="township", name="武侯区街道站", set_up_on=date(2020, 1, 1))
    pa = cs.partner_add(actor=None, center=c, kind="hospital", name="武侯区爱心医院", agreed_on=date(2020, 1, 1))
    fu = cs.funding_add(actor=None, center=c, year=2025, source="union", amount="1000")
    return {"center": c.pk, "station": st.pk, "partner": pa.pk, "funding": fu.pk}


def campaign_victims(users, tree) -> dict:
    """成都's campaign with a group of 武侯, a planned household, a visit, a record and a duty shift."""
    from datetime import date, time

    from warmth.campaigns import services as cs
    from warmth.visits import services as vs

    planner = actor_of(users.owner)
    c = cs.campaign_create(actor=planner, org=tree.c1, year=2025, theme="成都市两节送温暖")
    g = cs.group_create(actor=planner, campaign=c, name="武侯区慰问组", leaders="张小明", liaison="成都市联络员",
                        units=[tree.k1])
    h = cs.household_plan(actor=planner, group=g, name="张小明", unit="武侯区", klass="worker")
    v = vs.visit_record(actor=planner, campaign=c, kind="enterprise", visited_on=date(2026, 1, 20), visitors="成都市",
                        org=tree.k1, enterprise="武侯区企业").visit
    a = cs.activity_record(actor=planner, org=tree.k1, kind="jobs", on_date=date(2026, 1, 10), count=3,
                           note="武侯区")
    s = cs.duty_add(actor=planner, campaign=c, org=tree.k1, on_date=date(2026, 2, 16), starts=time(8),
                    ends=time(17), person="张小明", phone="02812345678")
    return {"campaign": c.pk, "group": g.pk, "household": h.pk, "visit": v.pk, "activity": a.pk, "shift": s.pk}


def report_victims(users, tree) -> dict:
    """武侯's 2015 统计表 of season 2025, filled (a manual cell with a comment naming 武侯区, an override) and
    submitted to 成都."""
    from warmth.reports import services as rs

    county = actor_of(users.county)
    r = rs.report_get_or_create(actor=county, form="warmth-2015", org=tree.k1, year=2025)
    rs.cells_save(actor=county, report=r, values={"1.A": {"value": "12", "comment": "武侯区张小明"},
                                                  "3.A": {"value": "9", "reason": "武侯区补录"}})
    r = rs.report_submit(actor=county, report=r, filled_by="张小明", phone="02812345678")
    body = {**package_forms()["warmth-2015"], "id": "sweep-2020", "year": 2020, "season": 2019}
    draft = ReportForm.objects.create(form_id="sweep-2020", title=body["title"], year=2020, body=body)
    users.root_admin = make_user("root_admin", tree.root, Role.ADMIN)  # who manages forms (the input fuzz posts as it)
    day = CalendarDay.objects.create(day=date(2099, 1, 2), kind="holiday", basis="通知", set_by=users.root_admin)
    from warmth.evaluation.services import sample_draw
    sample = sample_draw(actor=actor_of(users.colleague), org=tree.c1, name="武侯区评估", sizes={"active": 5})
    return {"report": r.pk, "reportform": draft.pk, "calendarday": day.pk, "sample": sample.pk}


def payment_victims(users, tree, pot, leader) -> dict:
    """成都's payments to 张小明 households of 武侯 in four states (a draft, submitted, approved, paid)."""
    from datetime import date

    from tests.archives.factories import archive_input, new_id
    from warmth.archives import lifecycle
    from warmth.archives.services import archive_file
    from warmth.payments.services import chain_set, payment_approve, payment_create, payment_mark_paid, payment_submit

    handler, reviewer = actor_of(users.owner), actor_of(users.colleague)
    county, c1_reviewer = actor_of(users.county), reviewer
    chain_set(actor=leader, org=tree.c1, steps=["单位(工会)意见"], threshold="5000", extra_step="单位领导")
    made = {}
    for i, name in enumerate(("payment", "submitted", "approved", "paid")):
        a = archive_file(actor=county, org=tree.k1, data=archive_input(
            id_number=new_id(born=date(1980, 1, 1 + i)), member_count=0, name="张小明"))
        lifecycle.archive_submit(actor=county, archive=a)
        lifecycle.archive_accept(actor=c1_reviewer, archive=a)
        day = date(2025, 12, 1)
        lifecycle.archive_verify(actor=county, archive=a, visited_on=day, visitors="甲", findings="属实",
                                 publicity_start=day, today=day)
        lifecycle.archive_end_publicity(actor=county, archive=a, today=date(2025, 12, 20))
        lifecycle.archive_approve(actor=c1_reviewer, archive=a)
        p = payment_create(actor=handler, pot=pot, aid_type="送温暖慰问", amount="100", method="bank",
                           bank_account="6222020200112233445", archive=a)
        if name != "payment":
            payment_submit(actor=handler, payment=p)
        if name in ("approved", "paid"):
            payment_approve(actor=c1_reviewer, payment=p)
        if name == "paid":
            payment_mark_paid(actor=handler, payment=p)
        made[name] = p.pk
        made.setdefault("archive_no", a.archive_no)
    return made


def snapshot():
    return {
        "orgs": sorted(Org.objects.values_list("code", "path", "parent_id", "name")),
        "users": sorted(User.objects.values_list("username", "status", "is_active", "failed_logins",
                                                 "locked_until")),
        "memberships": sorted(Membership.objects.values_list("user_id", "org_id", "role", "is_active")),
        "tokens": sorted(ApiToken.objects.values_list("pk", "revoked_at")),
        "moves": OrgMove.objects.count(),
        "archives": sorted(Archive.objects.values_list("pk", "status", "name", "org_id", "is_temporary",
                                                       "household_annual_income")),
        "steps": ArchiveStep.objects.count(),
        "transfers": sorted(Transfer.objects.values_list("pk", "status")),
        "attachments": sorted(Attachment.objects.values_list("pk", "withdrawn_at")),
        "objections": sorted(Objection.objects.values_list("pk", "resolved_at")),
        "flags": sorted(DuplicateFlag.objects.values_list("pk", "resolution")),
        "plans": AssistancePlan.objects.count(),
        "reviews": ArchiveReview.objects.count(),
        "pots": sorted(FundPot.objects.values_list("pk", "balance")),
        "entries": LedgerEntry.objects.count(),
        "raises": FundRaise.objects.count(),
        "allocations": Allocation.objects.count(),
        "fund_plans": sorted(AllocationPlan.objects.values_list("pk", "status", "total")),
        "plan_lines": sorted(AllocationPlanLine.objects.values_list("pk", "amount")),
        "decisions": Decision.objects.count(),
        "rule_settings": sorted(RuleSetting.objects.values_list("org_id", "code", "mode")),
        "payments": sorted(Payment.objects.values_list("pk", "status", "step", "amount")),
        "payment_steps": PaymentStep.objects.count(),
        "chains": sorted(ApprovalChain.objects.values_list("org_id", "steps", "threshold")),
        "campaigns": sorted(Campaign.objects.values_list("pk", "theme", "ends_on")),
        "groups": sorted(VisitGroup.objects.values_list("pk", "name", "route", "money_collected")),
        "planned": sorted(PlannedHousehold.objects.values_list("pk", "dropped")),
        "visits": sorted(Visit.objects.values_list("pk", "voided")),
        "activities": sorted(Activity.objects.values_list("pk", "voided")),
        "arrears": ArrearsReport.objects.count(),
        "shifts": sorted(DutyShift.objects.values_list("pk", "cancelled")),
        "centers": sorted(Center.objects.values_list("pk", "name", "volunteers")),
        "stations": sorted(Station.objects.values_list("pk", "closed_on")),
        "partners": sorted(Partner.objects.values_list("pk", "closed_on")),
        "center_funding": sorted(CenterFunding.objects.values_list("pk", "superseded", "amount")),
        "reports": sorted(Report.objects.values_list("pk", "status", "filled_by", "phone", "submitted_at",
                                                     "decided_at")),
        "cells": sorted(Cell.objects.values_list("pk", "code", "value", "reason", "comment")),
        "report_steps": ReportStep.objects.count(),
        "report_duties": sorted(ReportDuty.objects.values_list("pk", "levels", "note", "set_at")),
        "report_forms": sorted(ReportForm.objects.values_list("pk", "status", "version", "changed_at")),
        "calendar_days": sorted(CalendarDay.objects.values_list("pk", "kind", "withdrawn_at")),
        "pairings": sorted(Pairing.objects.values_list("pk", "cadre_id", "ended_on")),
        "pairing_visits": PairingVisit.objects.count(),
        "evaluation": (Sample.objects.count(), sorted(Case.objects.values_list("pk", "eligible", "checked_at"))),
        "incomecheck": (CheckBatch.objects.count(), sorted(Authorization.objects.values_list("pk", "superseded_at")),
                        sorted(Check.objects.values_list("pk", "result", "answered_at", "decided_at"))),
    }


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
        return raw.decode("utf-8", errors="replace") + raw.decode("latin-1")
    return response.content.decode()


def call(client, route: Route, values: dict, *, bearer: str | None = None):
    path = route.path.format(**values)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {bearer}"} if bearer else {}
    if route.method == "GET":
        return client.get(path, **headers)
    if route.json is not None:
        body = route.json
        for key, value in values.items():  # placeholders in a JSON body (its own braces stay as they are)
            body = body.replace("{" + key + "}", str(value))
        return client.post(path, body, content_type="application/json", **headers)
    data = {k: v.format(**values) for k, v in route.data}
    for field, name, content in route.files:
        from django.core.files.uploadedfile import SimpleUploadedFile

        data[field] = SimpleUploadedFile(name, content)
    return client.post(path, data, **headers)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_visitors_get_nothing(client, world, name):
    route = ROUTES[name]
    values, _ = world
    before = snapshot()
    response = call(client, route, values)
    if route.public:
        assert response.status_code == 200
    elif route.api:
        assert response.status_code in (401, 404)
    else:
        assert response.status_code == 302 and "/login/" in response.url
    assert snapshot() == before
    if response.status_code == 200:
        body = body_of(response)
        assert not [m for m in LEAK_MARKERS if m in body]


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_outsiders_from_a_sibling_subtree_get_nothing(client, world, name):
    """Three outsiders (handler, admin, auditor of 海南) in turn, against one build of the victim's world."""
    route = ROUTES[name]
    values, outsiders = world
    for role in ("handler", "admin", "auditor"):
        outsider = outsiders[role]
        client.logout()
        bearer = None
        if route.api:
            bearer = token_create(actor=actor_of(outsider), name="sweep")[1]
        else:
            client.force_login(outsider)
        before = snapshot()
        response = call(client, route, values, bearer=bearer)
        after = snapshot()
        if route.api and bearer:
            after["tokens"] = before["tokens"]  # the outsider's own sweep token
        assert response.status_code in (200, 302, 400, 403, 404, 405, 422), (role, response.status_code)
        assert after == before, f"{name} changed data for an outsider ({role})"
        if response.status_code in (200, 422):
            body = body_of(response)
            for _, typed in route.data:  # what the outsider typed may be shown back to them: not a leak
                body = body.replace(typed.format(**values), "")
            assert not [m for m in LEAK_MARKERS if m in body], f"{name} leaks to an outsider ({role})"
        if not route.self_only and "{" in route.path:
            assert response.status_code in (403, 404), f"{name} reached an object of another subtree ({role})"


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items()
                                        if r.method == "POST" and not r.self_only and not r.read))
def test_the_read_only_auditor_cannot_write_in_their_own_subtree(client, users, world, name):
    route = ROUTES[name]
    values, _ = world
    bearer = None
    if route.api:
        bearer = token_create(actor=actor_of(users.auditor), name="sweep")[1]
    else:
        client.force_login(users.auditor)
    before = snapshot()
    response = call(client, route, values, bearer=bearer)
    after = snapshot()
    if bearer:
        after["tokens"] = before["tokens"]
    if name == "switch":  # switching to someone else's membership is refused like any other object
        assert response.status_code == 404
    else:
        assert response.status_code in (403, 404), (name, response.status_code)
    assert after == before
