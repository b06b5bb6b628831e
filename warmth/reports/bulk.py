"""免报 many units of a form and season with one reason, through the same engine (``report_exempt`` per unit,
each in its own transaction): what is refused for one unit is listed with its reason, the rest is done. A
background job with progress."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from warmth.core.feedback import messages_of
from warmth.jobs.registry import register
from warmth.jobs.services import JobInputError, job_finish
from warmth.orgs.access import Actor, org_for_actor
from warmth.reports import services

MAX_UNITS = 2000


def reports_exempt_many(*, actor: Actor, form: str, year: int, parent_code: str, codes: list[str], reason: str,
                        progress=None) -> dict:
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "免报须填写理由"
    if not codes:
        errors["children"] = "请至少勾选一个单位"
    if errors:
        raise ValidationError(errors)
    parent = org_for_actor(actor, parent_code)
    codes = list(dict.fromkeys(codes))[:MAX_UNITS]
    if progress:
        progress.start(len(codes), "正在逐个设为免报")
    done, refused = [], []
    for n, code in enumerate(codes, 1):
        try:
            org = org_for_actor(actor, code)
            if org.parent_id != parent.pk:
                raise ValidationError({"children": f"{org.name}不是{parent.name}的直属下级"})
            services.report_exempt(actor=actor, form=form, org=org, year=year, reason=reason)
        except Http404:
            refused.append({"label": f"单位 {code}", "reason": "不存在或不在您的管辖范围内", "url": ""})
        except (ValidationError, PermissionDenied) as exc:
            refused.append({"label": f"{org.name}（{code}）", "reason": messages_of(exc),
                            "url": reverse("report_detail", args=[form, year]) + f"?org={code}"})
        else:
            done.append(code)
        if progress:
            progress.advance(n)
    return {"done": len(done), "done_codes": done, "refused": refused, "parent": parent.code}


@register("reports.exempt")  # not re-run: an exempt unit exempted again would get a second step row
def exempt_job(job, progress) -> None:
    actor = Actor(job.created_by, job.membership)
    p = job.params
    try:
        result = reports_exempt_many(actor=actor, form=p["form"], year=int(p["year"]), parent_code=p["org"],
                                     codes=p.get("children") or [], reason=p.get("reason", ""), progress=progress)
    except Http404:
        raise JobInputError("单位不存在或不在您的管辖范围内") from None
    except ValidationError as exc:
        raise JobInputError(messages_of(exc)) from None
    result["list_url"] = reverse("report_board", args=[p["form"], int(p["year"])]) + f"?org={p['org']}"
    result["list_label"] = "返回下级报送情况"
    job_finish(job, result=result, message=f"免报：已办理 {result['done']} 个单位，未办理 {len(result['refused'])} 个")
