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
    "keys.rotate": "轮换加密密钥",
}


def label(action: str) -> str:
    return LABELS.get(action, action)
