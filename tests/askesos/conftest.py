"""The fixtures the endpoint walks share (test_api_walk, test_inputs, test_money)."""

from __future__ import annotations

import itertools

import pytest
from drf_spectacular.generators import SchemaGenerator

from askesos.permissions import GOVERNMENT_ROLE_ACTIONS, role_may
from askesos.roles import GovernmentRole, LpaRole
from tests.askesos.test_api_walk import URLCONFS, Endpoint
from tests.conftest import client_on, host_of

_addresses = itertools.count(1)


@pytest.fixture(scope="module")
def openapi():
    return {
        site: SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
        for site, urlconf in URLCONFS.items()
    }


@pytest.fixture
def actors(lpa_a, lpa_b, make_staff, make_government_user, portal_host):
    """Clients for one endpoint: who may, who may not, staff of another LPA, nobody."""

    def for_endpoint(endpoint: Endpoint) -> dict:
        host = portal_host if endpoint.site == "portal" else host_of(lpa_a)
        action = endpoint.action
        anonymous = client_on(host)
        # An address of its own: the anonymous throttle counts per address.
        n = next(_addresses)
        anonymous.defaults["REMOTE_ADDR"] = f"10.9.{n // 250 % 250}.{n % 250 + 1}"
        clients = {"nobody": anonymous}
        if endpoint.public:
            clients["may"] = anonymous
            return clients
        if action is None:  # any signed-in user
            clients["may"] = client_on(
                host,
                make_staff(lpa_a, LpaRole.KETUA)
                if endpoint.site == "lpa"
                else make_government_user("ministry"),
            )
            return clients
        if action.value.startswith("lpa."):
            may = next(r for r in LpaRole if role_may(r, action))
            clients["may"] = client_on(host, make_staff(lpa_a, may))
            may_not = next((r for r in LpaRole if not role_may(r, action)), None)
            if may_not is not None:
                clients["may not"] = client_on(host, make_staff(lpa_a, may_not))
            # Staff of B signed in on A's address: their session is bound to A, as a
            # sign-in there would bind it; they still hold no membership in A.
            clients["another lpa"] = client_on(host, make_staff(lpa_b, may))
        else:
            clients["may"] = client_on(host, make_government_user("ministry"))
            may_not = next(
                (r for r in GovernmentRole if action not in GOVERNMENT_ROLE_ACTIONS[r]), None
            )
            if may_not is not None:
                clients["may not"] = client_on(host, make_government_user("ministry", may_not))
            clients["another lpa"] = client_on(host, make_staff(lpa_a, LpaRole.KETUA))
        return clients

    return for_endpoint
