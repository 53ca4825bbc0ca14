"""System checks that refuse, in production, a key anybody can read in this repository.

The development defaults of settings.py, the placeholders of .env.example and the values
docker-compose.yml once committed are public: a deployment running with one of them has
forgeable sessions (SECRET_KEY), a NIK index anybody can reverse by trying every NIK
(NIK_INDEX_KEY) or forgeable audit exports (EXPORT_SIGNING_KEY). `check --deploy` and
`askesos setup` (migrate runs the checks) fail on them when ASKESOS_ENV=production, and
the web server refuses to start (askesos.wsgi).
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

KNOWN_KEYS = frozenset(
    {
        # settings.py's development fallbacks
        "dev-only-insecure-key-never-use-in-production-askesos",
        "dev-only-nik-index-key",
        # docker-compose.yml's former defaults
        "change-me-to-a-long-random-string-before-any-real-use-0123456789",
        "change-me-and-never-rotate-casually",
    }
)
# Placeholders of .env.example and anything written like them.
KNOWN_PREFIXES = ("change-me", "dev-only", "replace-me")
CHECKED = ("SECRET_KEY", "NIK_INDEX_KEY", "EXPORT_SIGNING_KEY")


def is_known_key(value: str) -> bool:
    value = value.strip()
    return value in KNOWN_KEYS or value.lower().startswith(KNOWN_PREFIXES)


@register("security")
def development_keys_in_production(app_configs=None, **kwargs) -> list[Error]:
    if not settings.PRODUCTION:
        return []
    return [
        Error(
            f"{name} is a development key or a placeholder published with the source code.",
            hint=f"Set {name} to a long random value of your own (see .env.example).",
            id=f"askesos.E00{number}",
        )
        for number, name in enumerate(CHECKED, start=1)
        # EXPORT_SIGNING_KEY may be unset (a key derived from SECRET_KEY is used then).
        if (value := getattr(settings, name, "") or "") and is_known_key(value)
    ]


def refuse_development_keys() -> None:
    """For processes that serve without running the checks (gunicorn)."""
    errors = development_keys_in_production()
    if errors:
        raise ImproperlyConfigured(" ".join(error.msg for error in errors))
