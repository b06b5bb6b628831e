"""Chinese labels of audit actions (the action codes themselves stay English and stable)."""

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
    "archive.file": "建档",
    "archive.update": "修改档案",
    "archive.submit": "档案提交初审",
    "archive.accept": "档案初审通过",
    "archive.return": "档案退回修改",
    "archive.verify": "入户核查并公示",
    "archive.end_publicity": "建档公示期满",
    "archive.approve": "档案审批通过",
    "archive.reject": "档案审批不通过",
    "archive.exit_request": "申请退档",
    "archive.exit_cancel": "撤销退档",
    "archive.exit_approve": "退档审批通过并公示",
    "archive.exit_finalize": "退档生效",
    "archive.objection": "登记公示异议",
    "archive.objection_resolve": "处理公示异议",
    "archive.promote": "临时档案转正",
    "archive.transfer_request": "档案转出申请",
    "archive.transfer_accepted": "档案转入",
    "archive.transfer_refused": "拒收转入档案",
    "archive.review": "年度复核",
    "archive.plan": "一户一策帮扶计划",
    "archive.attachment_add": "上传档案附件",
    "archive.attachment_withdraw": "撤回档案附件",
    "archive.duplicate_resolve": "处理疑似重复",
    "archive.import": "导入档案",
    "dibao.set": "设置低保标准",
    "funds.raise": "资金筹集",
    "funds.allocate": "资金下拨",
    "funds.plan_create": "制定下拨方案",
    "funds.plan_update": "调整下拨方案",
    "funds.plan_confirm": "确认下拨方案",
    "funds.plan_cancel": "作废下拨方案",
    "funds.decision": "登记集体研究决定",
    "funds.convert": "结余资金转日常帮扶",
    "funds.spend": "资金支出（发放）",
    "funds.visit_deduct": "慰问团发放扣减",
    "funds.reverse": "冲正",
    "funds.rule_set": "调整资金规则设置",
    "funds.export": "导出资金报表",
    "payments.chain_set": "调整发放审批流程",
    "payments.create": "新建发放",
    "payments.submit": "提交发放",
    "payments.approve": "审批发放",
    "payments.return": "退回发放",
    "payments.pay": "登记已发放",
    "payments.confirm": "确认发放",
    "payments.reverse": "冲正发放",
    "payments.batch": "批量发放",
    "payments.edit": "修改发放",
    "payments.cancel": "作废发放",
    "payments.reverse_request": "申请冲正发放",
    "payments.reverse_approve": "冲正审批通过",
    "payments.reverse_reject": "驳回冲正申请",
    "payments.bulk": "批量办理发放",
    "payments.verify_sample": "抽取回访核实样本",
    "payments.verify": "记录回访核实结果",
    "report.duty": "设定统计表报送范围",
}


def label(action: str) -> str:
    return LABELS.get(action, action)

OBJECT_TYPES = {
    "org": "组织",
    "user": "账户",
    "membership": "任职",
    "api_token": "API 令牌",
    "job": "后台任务",
    "keys": "密钥",
    "archive": "档案",
    "archive_export": "档案导出",
    "dibao": "低保标准",
    "fund_raise": "资金筹集",
    "fund_pot": "资金池",
    "allocation": "资金下拨",
    "allocation_plan": "下拨方案",
    "decision": "集体决策",
    "ledger_entry": "台账记录",
    "rule_setting": "资金规则设置",
    "funds_statement": "资金报表",
    "payment": "发放",
    "payment_roster": "实名制发放汇总表",
    "payment_bank": "银行代发文件",
    "report_duty": "统计表报送范围",
}

FIELD_LABELS = {
    "status": "状态", "parent": "上级组织", "reason": "原因", "name": "名称", "code": "代码", "level": "层级",
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
    "entries": "台账记录", "levels": "须报送的层级", "duty_source": "依据", "form": "报表",
}

VALUE_LABELS = {
    "pending": "待审批", "active": "正常", "disabled": "已停用",
    "handler": "经办人", "reviewer": "审核人", "leader": "领导", "finance": "财务", "auditor": "经审/纪检",
    "admin": "系统管理员", "national": "全国总工会", "province": "省总工会", "city": "市(州)总工会",
    "county": "县(区)总工会", "industry": "产业工会(工委)", "direct": "直属工会", "group": "企业集团工会",
    "township": "乡镇(街道)工会", "grassroots": "基层工会", "phone": "手机号",
    "block": "阻止", "warn": "提醒", "off": "关闭",
}


def object_label(object_type: str) -> str:
    return OBJECT_TYPES.get(object_type, object_type)


def describe(data) -> str:
    """A change dict in words: ``状态：待审批；原因：区划调整``."""
    if not data:
        return ""
    if not isinstance(data, dict):
        return str(data)
    parts = []
    for key, value in data.items():
        shown = VALUE_LABELS.get(value, value) if isinstance(value, str) else value
        parts.append(f"{FIELD_LABELS.get(key, key)}：{shown}")
    return "；".join(parts)
