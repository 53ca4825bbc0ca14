"""No link answers 403: each role walks every page it can reach from its home page
(menus, to-do items, lists, details) and every link it is shown opens for it."""

import re
from collections import deque
from html import unescape

import pytest

from tests.conftest import client_on, host_of
from tests.programme.conftest import ROLES

HREF = re.compile(r'href="([^"#]*)"')
# Not pages: language switch, files, the API and its docs, signing out.
SKIP = re.compile(r"lang=|unduh=|\.pdf|\.csv|/api/|/keluar/|/media/|/static/|ekspor")
MAX_PAGES = 120  # a busy LPA has about 60 pages per role


def _walk(client, start: str = "/dasbor/") -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = unescape(href)
            if href.startswith("?"):
                href = url.split("?")[0] + href
            if href.startswith("/") and not SKIP.search(href) and href not in seen:
                queue.append(href)
    return seen


@pytest.mark.parametrize("role", ROLES)
def test_every_link_a_role_is_shown_opens_for_it(busy_lpa, whole_team, lpa_a, role):
    client = client_on(host_of(lpa_a), whole_team[role])

    seen = _walk(client)

    refused = {url: status for url, status in seen.items() if status not in (200, 302)}
    assert refused == {}, f"{role} was shown links it may not open"
    assert len(seen) > 3  # the walk got somewhere


def test_the_ketua_sees_no_hand_over_link_and_the_field_officer_no_payment_requests(
    busy_lpa, whole_team, lpa_a
):
    ketua_pages = "".join(
        client_on(host_of(lpa_a), whole_team["ketua"]).get(url).content.decode()
        for url in ("/dasbor/", "/buku/")
    )
    officer_pages = "".join(
        client_on(host_of(lpa_a), whole_team["petugas_lapangan"]).get(url).content.decode()
        for url in ("/dasbor/", "/klaim/")
    )
    assert "/premi/serah-terima/" not in ketua_pages
    assert "/klaim/pembayaran/" not in officer_pages
