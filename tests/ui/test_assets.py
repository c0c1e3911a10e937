"""The vendored assets are exactly the pinned packages' files (static/vendor/MANIFEST.json)."""

from __future__ import annotations

import hashlib
import json

from app.ui.pages import STATIC_DIR

VENDOR = STATIC_DIR / "vendor"


def test_every_vendored_file_matches_its_pinned_sha256():
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))["files"]
    assert set(manifest) == {p.name for p in VENDOR.iterdir() if p.suffix in (".js", ".css")}
    for name, entry in manifest.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == entry["sha256"], name
        assert entry["version"] in name  # the file name carries the pinned version


def test_the_static_files_are_served_by_the_service(client):
    for name in ("htmx-2.0.11.min.js", "swagger-ui-bundle-5.35.0.js", "redoc-2.5.4.standalone.js"):
        response = client.get(f"/ui/static/vendor/{name}")
        assert response.status_code == 200
        assert len(response.content) > 10_000
