from django.conf import settings

from askesos.middleware import is_public


def platform(request):
    return {
        "platform_name": settings.PLATFORM_NAME,
        "is_portal": is_public(request),
        "base_domain": settings.BASE_DOMAIN,
    }
