"""`notifier check` and `test-rule` load OpenCC only for Traditional text, zhconv never."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DIGEST = REPO / "examples" / "digests"
CONVERTERS = ("opencc", "zhconv", "pkg_resources")

RULES = """\
settings:
  fold_traditional: true
rules:
  - name: chips
    any: [英伟达, NVIDIA, 芯片, GPU]
  - name: labs
    any: [OpenAI, Anthropic, 大模型]
"""


def loaded(config: Path, *commands: list[str]) -> list[str]:
    """Which of CONVERTERS the commands import, run in one fresh interpreter."""
    calls = "".join(f"main({[*cmd, '-c', str(config)]!r})\n" for cmd in commands)
    code = (
        "import sys\n"
        "from notifier.cli import main\n"
        f"main(['check', {str(config)!r}])\n"
        f"{calls}"
        f"print(','.join(m for m in {CONVERTERS!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    return [m for m in done.stdout.splitlines()[-1].split(",") if m]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


def test_simplified_rules_and_digests_need_no_converter(config: Path) -> None:
    assert loaded(config, ["test-rule", str(DIGEST)]) == []


def test_a_traditional_term_loads_opencc_only(config: Path) -> None:
    assert loaded(config, ["test-rule", "--expr", "輝達", str(DIGEST)]) == ["opencc"]


def test_a_traditional_digest_loads_opencc_only(config: Path, tmp_path: Path) -> None:
    digest = tmp_path / "digest.md"
    digest.write_text("# 科技日報\n\n1. 輝達發表新晶片\n2. OpenAI 發佈新模型\n", encoding="utf-8")
    assert loaded(config, ["test-rule", str(digest)]) == ["opencc"]


HEAVY = ("aiogram", "lark_oapi", "apprise")


@pytest.mark.asyncio
async def test_mcp_never_loads_the_channel_sdks(tmp_path: Path) -> None:
    """`notifier mcp`, answering every read tool, imports neither aiogram, lark-oapi nor
    apprise (a target of a type that needs one is in the config)."""
    from tests.mcp.live import Live
    from tests.mcp.workspace import CORPUS, build

    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    space = build(tmp_path)
    out = tmp_path / "modules.txt"
    prelude = (
        "import atexit\n"
        f"atexit.register(lambda: open({str(out)!r}, 'w').write("
        f"','.join(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    async with Live(space, prelude=prelude) as live:
        for tool, arguments in [
            ("search_stories", {"query": "OpenAI"}),
            ("hot_topics", {}),
            ("test_rule", {"rule": "英伟达 芯片"}),
            ("explain", {"story_id": 1, "rule": "openai"}),
            ("deliveries", {}),
            ("status", {}),
            ("check_config", {}),
        ]:
            result = await live.call(tool, **arguments)
            assert not result.isError, result
        assert (await live.call("retry", ids=[1])).isError
    assert out.read_text() == ""
