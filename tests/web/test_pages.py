"""The page over HTTP: what it shows, what it escapes, its headers, and who may read it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from aiohttp import test_utils

from notifier.config import Config, load_config
from notifier.errors import ConfigError
from notifier.store import Store
from notifier.web.auth import COOKIE, Guard, is_loopback

from .conftest import (
    HOSTILE_TITLE,
    INGEST_TOKEN,
    SECRETS,
    SEED_DAY,
    VIEW_TOKEN,
    Client,
    page_app,
)

PAGES = (
    f"/?day={SEED_DAY}",
    f"/?day={SEED_DAY}&lang=zh",
    f"/?day={SEED_DAY}&rule=openai&per=500",
    "/play?q=OpenAI&days=90",
    "/status",
)
APIS = (f"/api/day?day={SEED_DAY}", "/api/play?q=OpenAI&days=90", "/api/status")


async def test_the_day_shows_the_seed_titles(client: Client) -> None:
    r = await client.get(f"/?day={SEED_DAY}")
    assert r.status == 200
    body = await r.text()
    text = re.sub(r"<[^>]+>", "", body)  # the titles as read, without the highlights
    assert "MiniMax发布 M2.1 开源编码和代理模型" in text
    assert "智谱AI发布 GLM-4.7" in text
    assert "<mark>" in body  # matched terms highlighted
    assert "team-feishu: queued" in body
    assert 'href="/play"' in body


async def test_hostile_text_is_shown_as_text(client: Client) -> None:
    body = await (await client.get(f"/?day={SEED_DAY}")).text()
    assert "<script>window" not in body
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in body
    assert "<img src=x" not in body
    assert "javascript:" not in body
    assert "<script" not in body.replace('<script src="/static/', "")
    play = await (await client.get("/play", params={"q": "OpenAI", "days": "90"})).text()
    assert "<script>window" not in play
    assert HOSTILE_TITLE not in play


@pytest.mark.parametrize("path", PAGES + APIS)
async def test_headers_and_no_secrets(client: Client, path: str) -> None:
    r = await client.get(path)
    assert r.status == 200
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    body = await r.text()
    for secret in SECRETS:
        assert secret not in body


async def test_status_names_targets_only(client: Client) -> None:
    body = await (await client.get("/status")).text()
    assert "team-feishu" in body
    assert "answered 500" in body  # the error, with the webhook masked
    status = await (await client.get("/api/status")).json()
    assert "***" in next(t for t in status["targets"] if t["name"] == "team-feishu")["last_error"]
    assert "store" not in status
    assert "skipped" not in status["subscribers"]


async def test_the_playground_without_script(client: Client) -> None:
    r = await client.get("/play", params={"q": "GLM +智谱", "days": "90"})
    body = await r.text()
    assert r.status == 200
    assert "智谱AI发布 GLM-4.7" in re.sub(r"<[^>]+>", "", body)
    assert "&#39;GLM&#39; in title" in body  # --explain's lines
    bad = await client.get("/play", params={"q": "/(a+)+$/", "days": "7"})
    assert bad.status == 200
    assert 'class="error"' in await bad.text()


async def test_the_playground_api(client: Client) -> None:
    r = await client.get("/api/play", params={"q": "OpenAI", "days": "90"})
    data = await r.json()
    assert r.status == 200
    assert data["total"] >= 1
    assert {"digest", "rule", "matched", "score", "hits", "breakdown", "item", "id"} <= set(
        data["matches"][0]
    )
    for q, days in (("/(a+)+$/", "7"), ("OpenAI", "0"), ("OpenAI", "x"), ("x" * 5000, "7")):
        r = await client.get("/api/play", params={"q": q, "days": days})
        assert r.status == 400
        error = (await r.json())["error"]
        assert error
        assert "\n" not in error


@pytest.mark.parametrize("day", ["2025-02-30", "yesterday", "2025-1-1", "9" * 300])
async def test_bad_dates(client: Client, day: str) -> None:
    r = await client.get("/", params={"day": day})
    assert r.status == 400
    assert len((await r.text()).strip().splitlines()) == 1
    api = await client.get("/api/day", params={"day": day})
    assert api.status == 400


async def test_huge_and_odd_filters(client: Client) -> None:
    r = await client.get(
        "/", params={"day": SEED_DAY, "q": "<script>" * 500, "rule": "x" * 2000, "per": "9" * 50}
    )
    assert r.status == 200
    assert "<script>alert" not in await r.text()
    too_long = await client.get("/?q=" + "x" * 20_000)
    assert too_long.status in (400, 414, 431)


async def test_language(client: Client) -> None:
    en = await (await client.get(f"/?day={SEED_DAY}")).text()
    zh = await (await client.get(f"/?day={SEED_DAY}&lang=zh")).text()
    assert "Hot topics" in en
    assert "今日热点" in zh
    assert 'lang="zh-CN"' in zh
    assert "lang=en" in zh  # the switch back
    assert "team-feishu: 排队中" in zh


async def test_static_files(client: Client) -> None:
    css = await client.get("/static/style.css")
    assert css.status == 200
    assert css.content_type == "text/css"
    assert (await client.get("/static/play.js")).content_type == "text/javascript"
    assert (await client.get("/static/secret.txt")).status == 404
    assert (await client.get("/static/..%2f__init__.py")).status == 404


async def test_ingest_still_works_beside_the_page(client: Client) -> None:
    r = await client.post(
        "/v1/digests", data=b"# x\n", headers={"Authorization": f"Bearer {INGEST_TOKEN}"}
    )
    assert r.status == 202


# -- who may read -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("example.com", False),
    ],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert Guard(host, None).open is loopback
    assert not Guard(host, "a-view-token").open  # a token set is always asked for


async def test_on_loopback_a_view_token_set_is_asked_for(
    seeded: Store, web_config: Config
) -> None:
    """A reverse proxy in front of a loopback server makes it public: the token holds."""
    app = page_app(seeded, web_config, host="127.0.0.1", view_token=True)
    async with test_utils.TestClient(test_utils.TestServer(app)) as c:
        assert (await c.get("/status")).status == 401
        good = {"Authorization": f"Bearer {VIEW_TOKEN}"}
        assert (await c.get("/status", headers=good)).status == 200


async def _public(store: Store, config: Config) -> Client:
    app = page_app(store, config, host="0.0.0.0", view_token=True)
    return test_utils.TestClient(test_utils.TestServer(app))


async def test_off_loopback_the_token_is_required(seeded: Store, web_config: Config) -> None:
    async with await _public(seeded, web_config) as c:
        for path in ("/", "/play", "/status", "/api/day", "/api/status", "/api/play?q=x"):
            r = await c.get(path)
            assert r.status == 401, path
            assert "Content-Security-Policy" in r.headers
        bad = {"Authorization": f"Bearer {INGEST_TOKEN}"}  # the ingest token reads nothing
        assert (await c.get("/", headers=bad)).status == 401
        good = {"Authorization": f"Bearer {VIEW_TOKEN}"}
        assert (await c.get(f"/?day={SEED_DAY}", headers=good)).status == 200
        assert (await c.get("/static/style.css")).status == 200  # no data in it


async def test_a_token_in_the_url_becomes_a_cookie(seeded: Store, web_config: Config) -> None:
    async with await _public(seeded, web_config) as c:
        r = await c.get(f"/status?lang=zh&token={VIEW_TOKEN}", allow_redirects=False)
        assert r.status == 303
        assert r.headers["Location"] == "/status?lang=zh"
        cookie = r.headers["Set-Cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert VIEW_TOKEN not in cookie
        assert (await c.get("/status")).status == 200  # the cookie jar sends it
        c.session.cookie_jar.clear()
        assert (await c.get("/status")).status == 401
        wrong = await c.get("/status?token=nope", allow_redirects=False)
        assert wrong.status == 401
        assert COOKIE not in wrong.headers.get("Set-Cookie", "")


async def test_off_loopback_without_a_view_token_it_is_off(
    seeded: Store, web_config: Config
) -> None:
    server = dataclasses.replace(web_config.server, view_token=None)
    config = dataclasses.replace(web_config, server=server)
    async with await _public(seeded, config) as c:
        r = await c.get("/", headers={"Authorization": f"Bearer {VIEW_TOKEN}"})
        assert r.status == 403
        assert "view_token" in await r.text()
    on_loopback = test_utils.TestServer(page_app(seeded, config, host="127.0.0.1"))
    async with test_utils.TestClient(on_loopback) as c:
        assert (await c.get("/status")).status == 200


def test_view_token_in_the_config(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("server:\n  view_token: 'a b'\nrules: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules.yaml:2: server: view_token: must not"):
        load_config(path)
    path.write_text("server:\n  view_token: abc123\nrules: [{name: a, any: [x]}]\n")
    spec = load_config(path).server
    assert spec.view_token == "abc123"
    assert "abc123" not in repr(spec)
