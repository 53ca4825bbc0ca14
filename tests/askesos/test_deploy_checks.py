"""Production refuses the keys published with the source code, and docker-compose.yml
carries no secret (askesos.system_checks, .env.example)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from askesos.system_checks import (
    development_keys_in_production,
    is_known_key,
    refuse_development_keys,
)

ROOT = Path(__file__).resolve().parents[2]
OWN_KEYS = {
    "SECRET_KEY": "x" * 20 + "-production-secret-key-of-fifty-plus-characters-0123456789",
    "NIK_INDEX_KEY": "production-nik-index-key-of-our-own",
    "EXPORT_SIGNING_KEY": "",
}


def _env_example() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    return {name.strip(): value.strip() for name, value in pairs}


def _production(settings, **keys) -> None:
    settings.PRODUCTION = True
    for name, value in {**OWN_KEYS, **keys}.items():
        setattr(settings, name, value)


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("SECRET_KEY", "dev-only-insecure-key-never-use-in-production-askesos", "askesos.E001"),
        (
            "SECRET_KEY",
            "change-me-to-a-long-random-string-before-any-real-use-0123456789",
            "askesos.E001",
        ),
        ("NIK_INDEX_KEY", "dev-only-nik-index-key", "askesos.E002"),
        ("NIK_INDEX_KEY", "change-me-and-never-rotate-casually", "askesos.E002"),
        ("EXPORT_SIGNING_KEY", "change-me-too", "askesos.E003"),
    ],
)
def test_production_refuses_a_published_key(settings, name, value, check_id):
    _production(settings, **{name: value})

    errors = development_keys_in_production()

    assert [error.id for error in errors] == [check_id]
    assert name in errors[0].msg
    with pytest.raises(ImproperlyConfigured, match=name):
        refuse_development_keys()


def test_production_refuses_the_placeholders_of_the_env_example(settings):
    example = _env_example()
    _production(
        settings,
        SECRET_KEY=example["SECRET_KEY"],
        NIK_INDEX_KEY=example["NIK_INDEX_KEY"],
        EXPORT_SIGNING_KEY="change-me",
    )

    assert [e.id for e in development_keys_in_production()] == [
        "askesos.E001",
        "askesos.E002",
        "askesos.E003",
    ]


def test_keys_of_ones_own_and_an_unset_export_key_pass(settings):
    _production(settings)

    assert development_keys_in_production() == []
    refuse_development_keys()


def test_development_may_use_the_development_keys(settings):
    settings.PRODUCTION = False
    settings.SECRET_KEY = "dev-only-insecure-key-never-use-in-production-askesos"

    assert development_keys_in_production() == []


def test_the_development_fallbacks_of_the_settings_are_known_keys():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "NIK_INDEX_KEY"}}
    env["ASKESOS_ENV"] = "development"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "from askesos.system_checks import is_known_key as k; "
            "print(k(settings.SECRET_KEY), k(settings.NIK_INDEX_KEY))",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "askesos.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.stdout.split() == ["True", "True"], result.stderr


def test_check_deploy_fails_with_the_keys_docker_compose_used_to_commit():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "ASKESOS_ENV": "production",
        "SECRET_KEY": "change-me-to-a-long-random-string-before-any-real-use-0123456789",
        "NIK_INDEX_KEY": "change-me-and-never-rotate-casually",
        "ALLOWED_HOSTS": "askesos.kemensos.go.id,.askesos.kemensos.go.id",
        "BASE_DOMAIN": "askesos.kemensos.go.id",
    }
    result = subprocess.run(
        [sys.executable, "-m", "askesos", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "askesos.E001" in result.stderr and "askesos.E002" in result.stderr


def test_docker_compose_carries_no_secret_and_reads_them_from_a_git_ignored_env_file():
    compose_text = (ROOT / "docker-compose.yml").read_text()
    compose = yaml.safe_load(compose_text)
    app = compose["services"]["web"]

    assert app["env_file"] == ".env"
    for name in ("SECRET_KEY", "NIK_INDEX_KEY", "EXPORT_SIGNING_KEY"):
        assert name not in app["environment"]
    assert "change-me" not in compose_text and "askesos:askesos@" not in compose_text
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()
    example = _env_example()
    assert {"SECRET_KEY", "NIK_INDEX_KEY", "EXPORT_SIGNING_KEY", "POSTGRES_PASSWORD"} <= set(
        example
    )
    assert is_known_key(example["SECRET_KEY"]) and is_known_key(example["NIK_INDEX_KEY"])
