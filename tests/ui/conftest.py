"""Fixtures of the collector's page: a client with the page's session, the CSRF token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.ui.page_figures import parse


def form_inputs(client: TestClient, path: str = "/ui") -> dict[str, str]:
    """The hidden inputs of the page at `path` (its CSRF token among them); starts a session."""
    response = client.get(path)
    assert response.status_code == 200, response.text
    return parse(response.text).inputs


@pytest.fixture
def ui_client(db_app) -> TestClient:
    """A browser-like client of the app on this worker's database: its own cookie jar."""
    return TestClient(db_app, base_url="http://testserver", follow_redirects=False)
