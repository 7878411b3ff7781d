"""`notifier report --html FILE`: the day page as one self-contained file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from notifier.cli import main
from notifier.config import Config

from .conftest import ENV, SECRETS, SEED_DAY

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The config's ${VAR}s, as `notifier run` would have them."""
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def _report(url: str, config: Config, out: Path, *extra: str) -> int:
    return main(["report", "--html", str(out), "--store", url, "-c", config.path, *extra])


def test_the_report_is_self_contained(seeded_url: str, web_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "site" / "today.html"
    out.parent.mkdir()
    assert _report(seeded_url, web_config, out, "--date", SEED_DAY) == 0
    html = out.read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    assert "MiniMax发布 M2.1 开源编码和代理模型" in text
    assert "<style>" in html
    assert re.search(r"<h2>openai <span class=\"count\">\d+ matches", html)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    # Nothing is fetched: the only URLs are the stories' own links.
    for m in re.finditer(r"https?:", html):
        assert html[max(0, m.start() - 6) : m.start()] == 'href="', html[m.start() - 40 : m.end()]
    assert "javascript:" not in html
    assert not any(secret in html for secret in SECRETS)
    assert "team-feishu: queued" in html
    assert sorted(p.name for p in out.parent.iterdir()) == ["today.html"]  # no temp file left


def test_the_report_in_chinese(seeded_url: str, web_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "zh.html"
    assert _report(seeded_url, web_config, out, "--date", SEED_DAY, "--lang", "zh") == 0
    assert "今日热点" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("date", ["2025-02-30", "today", "2025-1-1", "<script>"])
def test_a_bad_date_is_one_line_and_2(
    seeded_url: str,
    web_config: Config,
    tmp_path: Path,
    date: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "x.html"
    assert _report(seeded_url, web_config, out, "--date", date) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "not a date" in err
    assert not out.exists()


def test_an_unwritable_file_is_2(seeded_url: str, web_config: Config, tmp_path: Path) -> None:
    assert _report(seeded_url, web_config, tmp_path / "missing" / "x.html") == 2


def test_the_report_loads_no_server_nor_sdk(
    seeded_url: str, web_config: Config, tmp_path: Path
) -> None:
    """`notifier report` starts fast: no aiohttp, no channel SDK."""
    out = tmp_path / "r.html"
    code = (
        "import sys\n"
        "from notifier.cli import main\n"
        f"rc = main(['report', '--html', {str(out)!r}, '--store', {seeded_url!r}, "
        f"'-c', {web_config.path!r}, '--date', {SEED_DAY!r}])\n"
        "heavy = ('aiogram', 'lark_oapi', 'apprise', 'aiohttp')\n"
        "print(rc, ','.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.split() == ["0"], done.stdout + done.stderr
