"""The files users run without us: docker-compose.yml and the Dockerfile (no Docker
engine here, so they are checked the way `docker compose config` would read them)."""

import shutil
import subprocess
import sys
import zipfile
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


def _dockerfile_sources() -> list[str]:
    """What the Dockerfile copies into the image before `pip install .`."""
    sources = []
    for line in (ROOT / "infra" / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(word.startswith("--") for word in words):
            sources += words[1:-1]
    return sources


def _package_files() -> set[str]:
    """Every file of the four packages, as the wheel should name it."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "platform", "tenants", "programme", "reporting"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        listed = [
            str(path.relative_to(ROOT))
            for top in ("platform", "tenants", "programme", "reporting")
            for path in (ROOT / top).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        ]
    return {name.removeprefix("platform/") for name in listed}


def test_the_wheel_ships_every_module_and_data_file_the_packages_have(tmp_path):
    # Given the files the Dockerfile copies, built into a wheel as `pip install .` does
    source = tmp_path / "source"
    for name in _dockerfile_sources():
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(path, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["--disable-pip-version-check", "-w", str(tmp_path / "dist"), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("askesos-*.whl")

    # Then every module, template, static file, translation and data file is in it
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    assert sorted(_package_files() - shipped) == []
    assert {
        "programme/schemes/data/buku-saku-2010.json",
        "askesos/geo/data/villages.csv",
        "askesos/locale/id/LC_MESSAGES/django.mo",
        "askesos/static/askesos/favicon.svg",
    } <= shipped
