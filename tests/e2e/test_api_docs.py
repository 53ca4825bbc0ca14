"""The Swagger UI renders under the Content-Security-Policy (its script is a file; the
page's own policy allows inline styles only)."""

import pytest

pytestmark = pytest.mark.e2e


def test_the_api_docs_render_without_anything_blocked(page, live_port):
    page.goto(f"http://localhost:{live_port}/api/docs/")

    page.locator(".opblock").first.wait_for()
    assert page.get_by_text("/api/lpas/", exact=True).first.is_visible()
