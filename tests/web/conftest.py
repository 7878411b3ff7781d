"""A store holding the shared seed digests (and one hostile digest), a config with a
target whose webhook and secret come from the environment, and the page's app on it."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import test_utils, web

from notifier.config import Config, load_config
from notifier.store import Store, open_store

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "seeds"
#: The day most seed stories are dated, and noon that day ("now" for the page).
SEED_DAY = "2025-12-24"
SEED_NOW = dt.datetime(2025, 12, 24, 12, tzinfo=dt.UTC).timestamp()
HOOK = "https://open.feishu.cn/open-apis/bot/v2/hook/0f3e-WEBTEST-hook-7d1c"
SECRET = "SECwebtest-9a8b7c6d5e4f"
VIEW_TOKEN = "view-Token-5c1e9"
INGEST_TOKEN = "ingest-Token-77aa"
#: What the hostile digest's first title reads as (its markup is written as entities,
#: which the reader decodes: the page must show it as text).
HOSTILE_TITLE = "<script>window.__pwned=1</script> OpenAI 发布 粗体 & 模型"
HOSTILE = """\
# hostile digest

## 安全

### &lt;script&gt;window.__pwned=1&lt;/script&gt; OpenAI 发布 `<b>粗体</b>` & 模型

正文提到 OpenAI 与 &lt;img src=x onerror="window.__pwned=2"&gt; 的安全问题。

### &lt;img src=x onerror="window.__pwned=3"&gt; 另一条 OpenAI 新闻

正文 OpenAI。
"""
#: A story whose link is javascript: (the reader keeps it; the page must not link it).
HOSTILE_JSON = json.dumps(
    {
        "date": SEED_DAY,
        "items": [
            {"title": "OpenAI javascript link", "url": "javascript:window.__pwned=4"},
        ],
    }
)

RULES = """\
settings:
  fold_traditional: true
server:
  listen: 127.0.0.1:0
  token: "${WEB_TEST_INGEST_TOKEN}"
  view_token: "${WEB_TEST_VIEW_TOKEN}"
channels:
  console: {type: console}
  team-feishu:
    type: feishu
    webhook: "${WEB_TEST_FEISHU_HOOK}"
    secret: "${WEB_TEST_FEISHU_SECRET}"
rules:
  - name: openai
    any: [OpenAI, GPT, ChatGPT]
    tags: [labs]
    notify: [team-feishu, console]
  - name: chinese-llm
    any: [大模型, 智谱, GLM, DeepSeek, MiniMax, 文心]
    tags: [labs, china]
    notify: [console]
  - name: chips
    any: [英伟达, Nvidia, 芯片, GPU]
    tags: [hardware]
    notify: [console]
"""
ENV = {
    "WEB_TEST_FEISHU_HOOK": HOOK,
    "WEB_TEST_FEISHU_SECRET": SECRET,
    "WEB_TEST_VIEW_TOKEN": VIEW_TOKEN,
    "WEB_TEST_INGEST_TOKEN": INGEST_TOKEN,
}
SECRETS = (HOOK, SECRET, VIEW_TOKEN, INGEST_TOKEN)


@pytest.fixture(scope="session")
def web_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The config (its ${VAR}s set while it loads)."""
    folder = tmp_path_factory.mktemp("web-config")
    path = folder / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    saved = {k: os.environ.get(k) for k in ENV}
    os.environ.update(ENV)
    try:
        return load_config(path)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory, web_config: Config) -> Path:
    """A SQLite file with the seeds and the hostile digest ingested (queued, not sent),
    and a failure on record for the feishu target that quotes its webhook."""
    if not SEEDS.is_dir():
        pytest.skip(f"the shared seeds are not here ({SEEDS})")
    folder = tmp_path_factory.mktemp("web-store")
    hostile = folder / "digests" / f"{SEED_DAY}-hostile.md"
    hostile.parent.mkdir()
    hostile.write_text(HOSTILE, encoding="utf-8")
    (hostile.parent / f"{SEED_DAY}-links.json").write_text(HOSTILE_JSON, encoding="utf-8")
    db = folder / "seeded.db"
    asyncio.run(_ingest(web_config, f"sqlite:///{db}", [str(SEEDS), str(hostile.parent)]))
    return db


async def _ingest(config: Config, url: str, paths: list[str]) -> None:
    from notifier.pipeline.service import Service
    from notifier.sources.read import read_digests

    digests, errors = read_digests(paths, source="seeds")
    assert not errors
    service = Service(dataclasses.replace(config, store=url), role="all")
    await service.run_once(digests, send=False)
    async with open_store(url) as store:
        error = f"POST {HOOK} answered 500 (sign {SECRET})"
        await store.set_target("team-feishu", last_error=error, last_error_at=1.0)


@pytest.fixture
def seeded_url(seeded_db: Path, tmp_path: Path) -> str:
    """A copy of the seeded store, for one test."""
    copy = tmp_path / "store.db"
    shutil.copyfile(seeded_db, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
async def seeded(seeded_url: str) -> AsyncIterator[Store]:
    async with open_store(seeded_url) as store:
        yield store


def page_app(
    store: Store, config: Config, host: str = "127.0.0.1", *, view_token: bool = False
) -> web.Application:
    """The service's app as ``notifier run`` builds it, with the page mounted; without
    ``view_token`` the config's is dropped (a token that is set is always asked for)."""
    if not view_token:
        config = dataclasses.replace(
            config, server=dataclasses.replace(config.server, view_token=None)
        )
    from notifier.server import make_app
    from notifier.web import mount

    async def ingest(digest: object) -> dict[str, object]:
        return {}

    async def health() -> dict[str, object]:
        return {}

    app = make_app(ingest=ingest, health=health, metrics=None, token=INGEST_TOKEN, max_body=10_000)
    mount(app, store, config, host, clock=lambda: SEED_NOW)
    return app


Client = test_utils.TestClient  # type: ignore[type-arg]


@pytest.fixture
async def client(seeded: Store, web_config: Config) -> AsyncIterator[Client]:
    """A test client of the page on loopback."""
    async with test_utils.TestClient(test_utils.TestServer(page_app(seeded, web_config))) as c:
        yield c
