"""Chinese words of the audit log: action names, object types, field labels and values (the codes stored in the
rows stay English and stable).

The log sits below every app, so it knows only its own words (logins, accounts, orgs, jobs, keys); each app
registers its own from its ``AppConfig.ready`` through ``register``: action names, its workflows (each action's
Chinese label), and its models, whose ``verbose_name`` labels the fields of a change and whose ``choices`` label
the values (``状态：已报送``, not ``status：submitted``). Booleans read 是/否."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

LABELS = {
    "login": "登录",
    "login.failed": "登录失败",
    "login.locked": "锁定期间尝试登录",
    "password.failed": "修改密码时原密码错误",
    "logout": "退出",
    "org.create": "新增组织",
    "org.move": "调整组织隶属",
    "org.update": "修改组织",
    "user.create": "创建账户",
    "user.approve": "审批账户",
    "user.disable": "停用账户",
    "user.unlock": "解除锁定",
    "user.password": "修改密码",
    "membership.create": "新增任职",
    "membership.switch": "切换身份",
    "token.create": "创建 API 令牌",
    "token.revoke": "吊销 API 令牌",
    "pii.view": "查看完整个人信息",
    "pii.export": "导出个人信息",
    "audit.export": "导出审计日志",
    "job.create": "创建后台任务",
    "job.requeue": "重新排队中断的后台任务",
    "job.abandon": "中断的后台任务判为失败",
    "job.files_delete": "删除过期的任务文件",
    "keys.rotate": "轮换加密密钥",
    "calendar.set": "录入节假日安排",
    "calendar.withdraw": "撤销节假日安排的录入",
}


OBJECT_TYPES = {
    "org": "组织",
    "user": "账户",
    "membership": "任职",
    "api_token": "API 令牌",
    "job": "后台任务",
    "keys": "密钥",
    "calendar_day": "节假日安排",
}

FIELD_LABELS = {
    "status": "状态", "late": "逾期报送", "opinion": "意见", "id": "编号", "count": "数量",
    "parent": "上级组织", "reason": "原因", "name": "名称", "code": "代码", "level": "层级",
    "role": "角色", "org": "组织", "username": "用户名", "full_name": "姓名", "failed_logins": "连续失败次数",
    "locked_until": "锁定至", "field": "字段", "rows": "条数", "filters": "筛选条件", "kind": "类型",
    "params": "参数", "prefix": "前缀", "re_encrypted": "重新加密条数", "key": "密钥", "user": "用户",
    "file": "文件", "created": "新建", "archive_nos": "档案编号", "members": "家庭成员", "full_ids": "含完整身份证号",
    "note": "说明", "publicity": "公示期", "visited_on": "核查日期", "visitors": "核查人员", "to_org": "转入单位",
    "from_org": "转出单位", "objection": "异议", "resolution": "处理结果", "year": "年度", "result": "结果",
    "attachment": "附件", "name_": "名称", "size": "大小", "id_number": "身份证号", "phone": "联系电话",
    "category": "困难类别", "household_annual_income": "家庭年度总收入", "monthly_income": "本人月平均收入",
    "household_size": "家庭人口", "address": "家庭住址", "is_temporary": "临时救助档案",
    "amount": "金额", "source": "资金来源", "purpose": "用途", "doc_no": "文号", "donor": "捐助方",
    "is_goods": "物资折款", "spend_by": "使用期限", "total": "总额", "lines": "分配单位数",
    "allocations": "下拨笔数", "meeting": "会议", "held_on": "会议日期", "pots": "适用资金", "mode": "设置",
    "decision": "集体决策", "to_pot": "转入资金", "entry": "台账记录", "ref": "关联业务", "warnings": "提醒",
    "entries": "台账记录", "files": "文件数", "files_deleted": "删除文件数", "finished_at": "完成时间",
    "day": "日期", "basis": "依据",
}

VALUE_LABELS = {
    "pending": "待审批", "active": "正常", "disabled": "已停用",
    "handler": "经办人", "reviewer": "审核人", "leader": "领导", "finance": "财务", "auditor": "经审/纪检",
    "admin": "系统管理员", "national": "全国总工会", "province": "省总工会", "city": "市(州)总工会",
    "county": "县(区)总工会", "industry": "产业工会(工委)", "direct": "直属工会", "group": "企业集团工会",
    "township": "乡镇(街道)工会", "grassroots": "基层工会", "phone": "手机号",
    "block": "阻止", "warn": "提醒", "off": "关闭", "holiday": "放假", "workday": "调休上班",
}


#: what an app registered, per object type: field -> label, and (object type, field) -> value -> label
_OBJECT_FIELDS: dict[str, dict[str, str]] = {}
_OBJECT_VALUES: dict[tuple[str, str], dict[str, str]] = {}
#: the same, whatever the object type (the first model to name a field labels it elsewhere too)
_ANY_FIELDS: dict[str, str] = {}
_ANY_VALUES: dict[str, dict[str, str]] = {}
#: value labels worked out when first shown (they may need the database, which ``ready`` must not touch)
_LAZY_VALUES: dict[tuple[str, str] | str, Any] = {}


def _model_words(object_type: str, model: Any) -> None:
    fields = _OBJECT_FIELDS.setdefault(object_type, {})
    for f in model._meta.get_fields():
        verbose = getattr(f, "verbose_name", None)
        if not verbose or not getattr(f, "concrete", False):
            continue
        names = {f.name, getattr(f, "attname", f.name)}
        for name in names:
            fields.setdefault(name, str(verbose))
            _ANY_FIELDS.setdefault(name, str(verbose))
        if getattr(f, "choices", None):
            values = {str(k): str(v) for k, v in f.flatchoices}
            _OBJECT_VALUES.setdefault((object_type, f.name), {}).update(values)
            _ANY_VALUES.setdefault(f.name, values)


def register(*, actions: Mapping[str, str] | None = None, objects: Mapping[str, Any] | None = None,
             workflows: Iterable[Any] = (), fields: Mapping[str, str] | None = None,
             values: Mapping[tuple[str, str] | str, Mapping[str, str]] | None = None) -> None:
    """An app's words for the log, called from its ``AppConfig.ready``.

    ``actions``: action code -> Chinese name. ``objects``: object type -> its model (the label is the model's
    ``verbose_name``; its fields' ``verbose_name`` and ``choices`` label a change) or a Chinese label.
    ``workflows``: ``core.workflow.Workflow`` tables; each action is named "<object><action label>" unless
    ``actions`` names it. ``fields``: labels of change keys that are no model field. ``values``: value labels
    for a field (``"kind"``) or a field of one object type (``("rule_setting", "code")``), a mapping or a
    function returning one (called when a value is first shown: it may read the database)."""
    for object_type, obj in (objects or {}).items():
        if isinstance(obj, str):
            OBJECT_TYPES.setdefault(object_type, obj)
        else:
            OBJECT_TYPES.setdefault(object_type, str(obj._meta.verbose_name))
            _model_words(object_type, obj)
    for key, label_ in (fields or {}).items():
        FIELD_LABELS.setdefault(key, label_)
    for key, mapping in (values or {}).items():
        if callable(mapping):
            _LAZY_VALUES[key] = mapping
            continue
        target = _OBJECT_VALUES.setdefault(key, {}) if isinstance(key, tuple) else _ANY_VALUES.setdefault(key, {})
        target.update({str(k): str(v) for k, v in mapping.items()})
    for code, name in (actions or {}).items():
        LABELS[code] = name
    for wf in workflows:
        OBJECT_TYPES.setdefault(wf.name, str(wf.model._meta.verbose_name))
        _model_words(wf.name, wf.model)
        noun = OBJECT_TYPES[wf.name]
        for a in wf.actions:
            LABELS.setdefault(f"{wf.audit_prefix or wf.name}.{a.name}", f"{noun}{a.label}")


def label(action: str) -> str:
    return LABELS.get(action, action)


def object_label(object_type: str) -> str:
    return OBJECT_TYPES.get(object_type, object_type)


def field_label(key: str, object_type: str = "") -> str:
    return (_OBJECT_FIELDS.get(object_type, {}).get(key) or FIELD_LABELS.get(key) or _ANY_FIELDS.get(key)
            or key)


def value_label(value: Any, key: str = "", object_type: str = "") -> str:
    """One value in words: booleans 是/否, nothing "（空）", a code by the field's choices."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "（空）"
    if isinstance(value, dict):
        return f"（{describe(value, object_type)}）"
    if isinstance(value, (list, tuple)):
        return "、".join(value_label(v, key, object_type) for v in value) or "（空）"
    if isinstance(value, str):
        for lazy in [k for k in ((object_type, key), key) if k in _LAZY_VALUES]:
            target = _OBJECT_VALUES if isinstance(lazy, tuple) else _ANY_VALUES
            target.setdefault(lazy, {}).update({str(k): str(v) for k, v in _LAZY_VALUES.pop(lazy)().items()})
        own = _OBJECT_VALUES.get((object_type, key), {})
        return own.get(value) or _ANY_VALUES.get(key, {}).get(value) or VALUE_LABELS.get(value, value)
    return str(value)


def describe(data, object_type: str = "") -> str:
    """A change dict in words: ``状态：待审批；原因：区划调整``."""
    if not data:
        return ""
    if not isinstance(data, dict):
        return value_label(data, "", object_type)
    return "；".join(f"{field_label(key, object_type)}：{value_label(value, key, object_type)}"
                    for key, value in data.items())


def action_choices() -> list[tuple[str, str]]:
    """Every named action, for the log's filter (by name)."""
    return sorted(LABELS.items(), key=lambda kv: kv[1])


def object_choices() -> list[tuple[str, str]]:
    return list(OBJECT_TYPES.items())
