"""Tenant isolation: one LPA can never read or change another's data.

Every URL pattern of the tenant URLconf is enumerated, so an endpoint added later is
covered without touching this file; only endpoints that are public by design (sign-in,
health, API documentation) are listed as exempt.
"""

from __future__ import annotations

import logging
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from askesos.roles import LpaRole
from tests.conftest import client_on, host_of

PUBLIC_BY_DESIGN = {"home", "login", "logout", "healthz", "api-schema", "api-docs"}


def _tenant_routes() -> list[tuple[str, str]]:
    routes = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name not in PUBLIC_BY_DESIGN:
                path = "/" + prefix + str(p.pattern)
                routes.append((p.name, re.sub(r"<slug:\w+>", "x", re.sub(r"<int:\w+>", "1", path))))

    walk(get_resolver("askesos.urls_tenant").url_patterns)
    return routes


TENANT_ROUTES = _tenant_routes()


def test_the_route_list_is_not_empty():
    names = {name for name, _ in TENANT_ROUTES}
    assert {"dashboard", "staff-list", "api-staff-list", "api-me"} - {"api-me"} <= names


@pytest.mark.parametrize(("name", "path"), TENANT_ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_of_lpa_a_signed_in_on_lpa_b_get_403_or_404(
    name, path, method, lpa_a, lpa_b, make_staff
):
    ketua_a = make_staff(lpa_a, LpaRole.KETUA)
    client = client_on(host_of(lpa_b), ketua_a)

    response = getattr(client, method)(path)

    if name == "api-me":
        # "Who am I" answers for anyone signed in, and shows no role in B.
        assert response.status_code == 405 or response.json()["lpa_role"] is None
    else:
        assert response.status_code in (403, 404, 405), (path, response.status_code)
        assert response.status_code != 405 or method == "post"


@pytest.mark.parametrize(("name", "path"), TENANT_ROUTES)
def test_a_session_from_lpa_a_replayed_on_lpa_b_is_signed_out(name, path, lpa_a, lpa_b, make_staff):
    ketua_a = make_staff(lpa_a, LpaRole.KETUA)
    # A cookie obtained on A's host, sent to B's host.
    client = client_on(host_of(lpa_b), ketua_a, bound_to=lpa_a.schema_name)

    response = client.get(path)

    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert "/masuk/" in response["Location"]


@pytest.mark.parametrize(("name", "path"), TENANT_ROUTES)
def test_government_users_do_not_browse_tenant_pages(name, path, lpa_a, make_government_user):
    ministry = make_government_user("ministry")
    client = client_on(host_of(lpa_a), ministry)

    response = client.get(path)

    assert response.status_code in (403, 404) or name == "api-me"


def test_staff_list_shows_only_this_lpas_team(lpa_a, lpa_b, make_staff):
    ketua_a = make_staff(lpa_a, LpaRole.KETUA)
    bendahara_b = make_staff(lpa_b, LpaRole.BENDAHARA)

    response = client_on(host_of(lpa_a), ketua_a).get("/api/staff/")

    usernames = {row["username"] for row in response.json()["results"]}
    assert ketua_a.username in usernames and bendahara_b.username not in usernames


def test_cache_keys_carry_the_tenant(lpa_a, lpa_b):
    connection.set_tenant(lpa_a)
    cache.set("dashboard-figures", "A's figures", 30)
    try:
        connection.set_tenant(lpa_b)
        assert cache.get("dashboard-figures") is None
        connection.set_tenant(lpa_a)
        assert cache.get("dashboard-figures") == "A's figures"
    finally:
        connection.set_tenant(lpa_a)
        cache.delete("dashboard-figures")


def test_log_lines_name_the_tenant(lpa_a, caplog):
    from django_tenants.log import TenantContextFilter

    connection.set_tenant(lpa_a)
    logger = logging.getLogger("askesos.test")
    logger.addFilter(TenantContextFilter())
    try:
        with caplog.at_level(logging.INFO, logger="askesos.test"):
            logger.info("premium recorded")
    finally:
        logger.filters.clear()

    assert caplog.records[-1].schema_name == lpa_a.schema_name


def test_uploads_are_stored_under_the_tenant(lpa_a, lpa_b):
    from django.core.files.storage import default_storage

    connection.set_tenant(lpa_a)
    path_a = default_storage.path("claims/doc.pdf")
    connection.set_tenant(lpa_b)
    path_b = default_storage.path("claims/doc.pdf")

    assert lpa_a.schema_name in path_a and lpa_b.schema_name in path_b and path_a != path_b


def test_an_unknown_host_is_a_404_not_the_portal(db):
    response = client_on("tidak-ada.localhost").get("/masuk/")

    assert response.status_code == 404
