"""Response headers every answer carries, besides Django's SecurityMiddleware and
django-csp's Content-Security-Policy (settings.CONTENT_SECURITY_POLICY).

- `Permissions-Policy`: the browser features the pages use (the camera, on the
  collection sheet's QR scan, from this site only) and none other.
- `Cache-Control: no-store` on every answer to a signed-in user, page or API, static
  files aside: they carry personal data, and a shared computer's browser cache or a
  proxy must not keep them. A view that sets Cache-Control itself keeps its own (the
  dashboard API's private ETag caching, the public transparency page, downloads).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "autoplay=()",
        "browsing-topics=()",
        "camera=(self)",
        "display-capture=()",
        "geolocation=()",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "payment=()",
        "usb=()",
    ]
)


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if (
            "Cache-Control" not in response.headers
            and not request.path.startswith(settings.STATIC_URL)
            and _signed_in(request)
        ):
            response["Cache-Control"] = "no-store"
        return response
