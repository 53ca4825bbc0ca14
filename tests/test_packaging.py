"""The files users run without us: docker-compose.yml and the Dockerfile (no Docker
engine here, so they are checked the way `docker compose config` would read them)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_has_the_platform_services_and_they_use_real_entry_points():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    assert {"postgres", "redis", "web", "worker", "beat", "setup"} <= set(services)
    for name in ("web", "worker", "beat", "setup"):
        service = services[name]
        assert service["build"]["dockerfile"] == "infra/Dockerfile"
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert service["environment"]["ASKESOS_ENV"] == "production"
    assert services["worker"]["command"][:3] == ["celery", "-A", "askesos"]
    assert services["setup"]["command"] == ["askesos", "setup"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["setup"]["condition"] == (
            "service_completed_successfully"
        )


def test_dockerfile_copies_every_package_and_starts_gunicorn_with_our_config():
    dockerfile = (ROOT / "infra" / "Dockerfile").read_text()

    for package in ("platform", "tenants", "programme", "reporting"):
        assert f"COPY {package} ./{package}" in dockerfile
    assert "python:askesos.gunicorn_conf" in dockerfile
    import askesos.gunicorn_conf  # noqa: F401  (importable, as gunicorn will import it)


def test_there_is_no_platform_init_shadowing_the_standard_library():
    assert not (ROOT / "platform" / "__init__.py").exists()
