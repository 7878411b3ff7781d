"""The pages in a real browser: headless Chromium from the OS packages, driven by Selenium,
against the real app served on 127.0.0.1. A screenshot of each page goes to the test's
tmp dir (looked at by a human during development).

scripts/test installs chromium and chromium-driver when they are missing (scripts/browser);
where it cannot (no root), these tests skip and say why, or fail where CI or
NOTIFIER_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from notifier.config import Config
from notifier.store import open_store

from .conftest import HOSTILE_TITLE, SEED_DAY, page_app

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
DRIVER = "/usr/bin/chromedriver"
REQUIRED = bool(os.environ.get("CI") or os.environ.get("NOTIFIER_REQUIRE_BROWSER"))
WAIT = 20  # seconds a page may take to show something: a ceiling, never a measurement


def _browser_missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e .[test])"
    if not any(Path(p).exists() for p in CHROMIUM) or not Path(DRIVER).exists():
        return "chromium/chromedriver are not installed (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """One headless Chromium for the module."""
    missing = _browser_missing()
    if missing and REQUIRED:
        pytest.fail(f"{missing} — required here (CI or NOTIFIER_REQUIRE_BROWSER is set)")
    if missing:
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    options.add_argument("--window-size=1100,1400")
    options.binary_location = next(p for p in CHROMIUM if Path(p).exists())
    browser = webdriver.Chrome(options=options, service=Service(DRIVER))
    browser.set_page_load_timeout(WAIT)
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def base_url(
    seeded_db: Path, web_config: Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The real app (ingest + page) on 127.0.0.1, a free port, in a thread of its own."""
    from notifier.server import serve

    copy = tmp_path_factory.mktemp("browser") / "store.db"
    shutil.copyfile(seeded_db, copy)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    found: dict[str, Any] = {}

    async def start() -> None:
        store = open_store(f"sqlite:///{copy}")
        await store.open()
        server = await serve(page_app(store, web_config), "127.0.0.1", 0)
        found.update(store=store, server=server, url=server.url)

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        finally:
            ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="page-server", daemon=True)
    thread.start()
    ready.wait(30)
    if "url" not in found:
        pytest.fail("the page's server did not start")
    yield found["url"]

    async def stop() -> None:
        await found["server"].stop()
        await found["store"].close()

    asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(30)
    loop.close()


def _wait(driver: Any, check: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(check)


def test_the_day_page_shows_the_seeds(driver: Any, base_url: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base_url}/?day={SEED_DAY}")
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "MiniMax发布 M2.1 开源编码和代理模型" in body
    assert "智谱AI发布 GLM-4.7" in body
    assert "team-feishu: queued" in body
    marks = driver.find_elements(By.TAG_NAME, "mark")
    assert any(m.text == "OpenAI" for m in marks)
    driver.save_screenshot(str(tmp_path / "day.png"))
    assert (tmp_path / "day.png").stat().st_size > 1000


def test_a_script_in_a_title_is_text(driver: Any, base_url: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base_url}/?day={SEED_DAY}&rule=openai&per=500")
    body = driver.find_element(By.TAG_NAME, "body").text
    assert HOSTILE_TITLE in body
    assert 'onerror="window.__pwned=3"' in body
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    links = [a.get_attribute("href") or "" for a in driver.find_elements(By.TAG_NAME, "a")]
    assert not any(h.lower().startswith("javascript:") for h in links)
    driver.save_screenshot(str(tmp_path / "hostile.png"))


def test_the_playground_answers_as_you_type(driver: Any, base_url: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base_url}/play?days=90&lang=zh")
    box = driver.find_element(By.ID, "q")
    box.send_keys("GLM +智谱")
    _wait(driver, lambda d: "GLM-4.7" in d.find_element(By.ID, "results").text)
    results = driver.find_element(By.ID, "results").text
    assert "'GLM' in title" in results  # --explain's breakdown
    assert "条匹配" in results
    box.clear()
    box.send_keys("/(a+)+$/")
    _wait(driver, lambda d: d.find_elements(By.ID, "error"))
    assert "exponential" in driver.find_element(By.ID, "error").text
    box.clear()
    box.send_keys("OpenAI")
    _wait(driver, lambda d: HOSTILE_TITLE in d.find_element(By.ID, "results").text)
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    driver.save_screenshot(str(tmp_path / "play.png"))


def test_the_status_page_refreshes(driver: Any, base_url: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base_url}/status")
    assert "team-feishu" in driver.find_element(By.ID, "targets").text
    _wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-refreshed"))
    assert "team-feishu" in driver.find_element(By.ID, "targets").text
    driver.save_screenshot(str(tmp_path / "status.png"))


def test_readable_on_a_phone(driver: Any, base_url: str, tmp_path: Path) -> None:
    """No sideways scrolling at a phone's width; the Chinese page."""
    driver.set_window_size(390, 844)
    try:
        driver.get(f"{base_url}/?day={SEED_DAY}&lang=zh")
        wide = driver.execute_script("return document.documentElement.scrollWidth")
        assert wide <= driver.execute_script("return window.innerWidth")
        driver.save_screenshot(str(tmp_path / "phone.png"))
    finally:
        driver.set_window_size(1100, 1400)
