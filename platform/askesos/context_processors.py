from django.conf import settings

from askesos.middleware import is_public


def platform(request):
    portal = is_public(request)
    return {
        "platform_name": settings.PLATFORM_NAME,
        "is_portal": portal,
        "base_domain": settings.BASE_DOMAIN,
    }
