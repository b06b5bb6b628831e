from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import patch_cache_control

from warmth.core.errors import refuse


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy (no inline script, nothing from another origin) to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.WARMTH_CSP)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            # pages of a logged-in user may hold personal data: never kept by the browser or a proxy
            patch_cache_control(response, no_store=True, private=True)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class NulInputMiddleware:
    """Refuses (400) a request with a NUL character in its path, a query or a form parameter, before any view
    can use it in a query: PostgreSQL cannot hold NUL in text and would fail with a server error. Every other
    rule of the input policy (``core.validation``) is applied per field with the field's label."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            text = "提交的内容含有空字符（NUL），无法处理。请删除后重试。"
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": text}, status=400, json_dumps_params={"ensure_ascii": False})
            return refuse(request, text)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        params = [request.GET]
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                                  "multipart/form-data"):
            params.append(request.POST)
        return any("\x00" in k or any("\x00" in v for v in q.getlist(k)) for q in params for k in q)
