"""Security headers on every response, a loopback-only local Elasticsearch, no debug pages in production."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.testclient import TestClient

from search_app.app import create_app
from search_app.config import Settings
from search_app.security import HEADERS

ROOT = Path(__file__).resolve().parent.parent


def assert_security_headers(response) -> None:
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("referrer-policy") == "strict-origin-when-cross-origin"
    assert response.headers.get("x-frame-options") == "DENY"


@pytest.mark.parametrize("path", [
    "/", "/?q=گذرنامه", "/api/search?q=گذرنامه", "/api/search?size=0", "/?page=x", "/healthz",
    "/services/svc-1021", "/api/services/svc-1021", "/services/svc-0", "/no/such/page",
    "/static/style.css", "/metrics",
])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code < 500, (path, response.status_code)
    assert_security_headers(response)


def test_the_header_values_are_the_documented_ones():
    assert set(HEADERS) == {"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                            "X-Frame-Options"}


def test_pages_have_no_inline_script_or_style_the_csp_would_block(client):
    html = client.get("/", params={"q": "گذرنامه"}).text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> (CSP: script-src 'self')"
    assert "<style" not in html, "inline <style> (CSP: style-src 'self')"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler attribute"


# --------------------------------------------------------------------------- production mode

def production_app(app_settings: Settings):
    """The app as production runs it: DEBUG unset."""
    settings = Settings.from_env({"ES_URL": app_settings.es.url, "PANJEREH_INDEX": app_settings.es.alias,
                                  "QUERY_LOG": "false"})
    assert settings.debug is False
    app = create_app(settings)

    async def boom(request: Request) -> Response:
        raise RuntimeError("secret internal detail /etc/passwd")

    app.add_route("/boom", boom)
    app.add_route("/api/boom", boom)
    return app


def test_debug_is_off_unless_asked_for():
    assert Settings.from_env({}).debug is False
    assert Settings.from_env({"DEBUG": "1"}).debug is True


def test_a_crash_shows_the_persian_page_without_a_traceback(app_settings):
    with TestClient(production_app(app_settings), raise_server_exceptions=False) as client:
        page = client.get("/boom")
        assert page.status_code == 500
        assert page.headers["content-type"].startswith("text/html")
        assert "خطای داخلی" in page.text
        for leak in ("Traceback", "RuntimeError", "secret internal detail", "/etc/passwd", 'File "'):
            assert leak not in page.text

        api = client.get("/api/boom")
        assert api.status_code == 500
        assert api.json() == {"error": "internal error"}


def test_a_crash_page_carries_the_security_headers(app_settings):
    """Starlette's ServerErrorMiddleware sits outside every user middleware: the 500 answer must
    get the headers some other way."""
    with TestClient(production_app(app_settings), raise_server_exceptions=False) as client:
        assert_security_headers(client.get("/boom"))
        assert_security_headers(client.get("/api/boom"))


# --------------------------------------------------------------------------- Elasticsearch on loopback

def test_the_local_setups_bind_elasticsearch_to_loopback():
    es_sh = (ROOT / "scripts" / "es.sh").read_text()
    assert "-Enetwork.host=127.0.0.1" in es_sh
    cluster_sh = (ROOT / "scripts" / "cluster.sh").read_text()
    assert "-Enetwork.host=127.0.0.1" in cluster_sh
    compose = ROOT / "docker-compose.yml"
    if compose.is_file():
        ports = re.findall(r'^\s*-\s*"([^"]*:9200)"', compose.read_text(), re.M)
        assert ports and all(p.startswith("127.0.0.1:") for p in ports), ports


def test_the_running_local_node_listens_on_loopback_only(es, es_settings):
    hosts = {urlparse(u).hostname for u in es_settings.url.split(",")}
    if not hosts <= {"127.0.0.1", "localhost", "::1"}:
        pytest.skip(f"ES_URL points at a remote cluster ({es_settings.url}): not the local setup")
    nodes = es.nodes.info(metric="http,transport")["nodes"]
    for node in nodes.values():
        for part in ("http", "transport"):
            for address in node[part]["bound_address"]:
                host = address.rsplit(":", 1)[0].strip("[]")
                assert host in {"127.0.0.1", "::1"}, f"{node['name']} {part} bound to {address}"
