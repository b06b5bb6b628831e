"""Chinese error pages (no stack traces for users)."""

from django.shortcuts import render


def _page(request, status, title, text):
    return render(request, "error.html", {"status": status, "title": title, "text": text}, status=status)


def refuse(request, text: str, *, status: int = 400):
    """A request that cannot be processed as sent, with what was wrong in plain words."""
    return _page(request, status, "请求有误", text)


def bad_request(request, exception=None):
    return _page(request, 400, "请求有误", "提交的内容无法处理，请返回检查后重试。")


def permission_denied(request, exception=None):
    text = str(exception) if exception and str(exception) else "您没有执行此操作的权限。"
    return _page(request, 403, "无权操作", text)


def page_not_found(request, exception=None):
    return _page(request, 404, "页面不存在", "您访问的内容不存在，或不在您的管辖范围内。")


def server_error(request):
    return render(request, "error.html", {"status": 500, "title": "系统内部错误",
                                          "text": "系统出现内部错误，已记录日志。请稍后重试或联系系统管理员。"},
                  status=500)


def csrf_failure(request, reason=""):
    return _page(request, 403, "页面已过期", "页面已过期或来源不可信，请刷新页面后重新提交。")
