"""The studio's files are served at / beside the API, name no other site, and the config
prefills the dev token only on a development server."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from graphql_api.studio import STATIC_DIR, studio_config
from resources.settings import Settings


def test_the_page_and_its_modules_are_served_at_the_root(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="js/main.js">' in page.text
    for name in ("js/main.js", "js/api.js", "js/views.js", "js/job.js", "js/review.js"):
        module = client.get(f"/{name}")
        assert module.status_code == 200, name
        assert "javascript" in module.headers["content-type"], name
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/no-such-file.js").status_code == 404


def test_no_studio_file_names_another_site() -> None:
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text), path.name


def test_the_dev_token_is_offered_in_development_only(settings: Settings) -> None:
    dev = settings.model_copy(update={"environment": "development"})
    assert studio_config(dev)["devToken"] == "dev-token"
    test = settings.model_copy(update={"environment": "test"})
    assert studio_config(test)["devToken"] is None
    assert studio_config(dev)["allowedTypes"]["mp4"] == ["video/mp4"]  # type: ignore[index]


def test_the_page_allows_only_its_own_origin_and_no_inline_script(client: TestClient) -> None:
    page = client.get("/", headers={"Host": "studio.example:8000"})
    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no other site
    assert policy["media-src"] == "'self' blob:"
    assert policy["connect-src"] == "'self' ws://studio.example:8000 wss://studio.example:8000"
    assert page.headers["x-frame-options"] == "DENY"
    # the page itself keeps to the policy: no inline script or handler attributes
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    assert not re.search(r"\son[a-z]+=", page.text)
    # a Host header that is not a host name is not echoed into the policy
    odd = client.get("/", headers={"Host": "x; script-src *"})
    assert "script-src *" not in odd.headers["content-security-policy"]
