import ipaddress
import uuid

from django.conf import settings

from warmth.audit import context


def client_ip(request) -> str | None:
    raw = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            raw = forwarded.split(",")[-1].strip()  # the address our own proxy saw
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.set_current(context.RequestInfo(ip=client_ip(request), request_id=uuid.uuid4().hex))
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
