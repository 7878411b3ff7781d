"""A store filled from ../shared/corpus for the MCP tests: a config with a secret target,
three real digests (two of them re-dated to today, so that "the last days" hold stories)
ingested with ``notifier ingest --no-send``."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("NOTIFIER_CORPUS") or REPO.parent / "shared" / "corpus")
#: (file, the date as the digest writes it, how to write today's date instead)
TODAYS = (
    ("72live/20251204.md", r"2025([-.])12\1(0?)4", "{y}\\g<1>{m:02d}\\g<1>{d:02d}"),
    ("seeds/000_76919eb06700c760.md", r"2025/11/13", "{y}/{m:02d}/{d:02d}"),
)
OLD = "deepgeek/2025-12-08-ai-daily-20251208.md"
OLD_DAY = "2025-12-08"
WEBHOOK = "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c-secret-hook-4b5a69788796"
SECRET = "sign-secret-SEC9f8e7d6c5b4a"
TOKEN = "mcp-test-token-7c6b5a4f3e2d1c0b"
ENV = {"MCP_TEST_WEBHOOK": WEBHOOK, "MCP_TEST_SECRET": SECRET}

RULES = """\
# The MCP tests' config: every comment here must survive add_rule / remove_rule.
settings:
  fold_traditional: true

channels:
  console: {type: console, stream: stderr}
  team-feishu:                       # a target with secrets from the environment
    type: feishu
    webhook: "${MCP_TEST_WEBHOOK}"
    secret: "${MCP_TEST_SECRET}"

rules:
  # OpenAI and its models
  - name: openai
    any: [OpenAI, ChatGPT, GPT-5, Sam Altman]
    notify: [team-feishu]

  # chips: accelerators and the companies that make them
  - name: chips
    any: [英伟达, NVIDIA, 芯片, GPU, TPU, 算力]
    notify: [team-feishu, console]

  - name: video
    any: [视频, Sora, Runway, 可灵]   # text-to-video
# the end of the rules
"""


@dataclass(frozen=True)
class Workspace:
    """The files of one test module."""

    root: Path
    config: Path
    store: str
    digests: tuple[Path, ...]
    #: The date the first digests were re-dated to.
    today: dt.date

    def env(self) -> dict[str, str]:
        """The environment of a ``notifier`` process on this workspace."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
        env.update(ENV)
        env["NOTIFIER_CONFIG"] = str(self.config)
        env["NOTIFIER_STORE"] = self.store
        return env

    def notifier(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``notifier ARGS`` on the workspace."""
        return subprocess.run(
            [sys.executable, "-m", "notifier", *args],
            capture_output=True,
            text=True,
            cwd=self.root,
            env=self.env(),
            timeout=120,
        )

    def json_lines(self, *args: str) -> list[dict[str, object]]:
        """The JSON lines ``notifier ARGS`` prints."""
        done = self.notifier(*args)
        assert done.returncode in (0, 1), done.stderr
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def build(root: Path, today: dt.date | None = None) -> Workspace:
    """Write the config and the digests under ``root`` and ingest them into a new store."""
    today = today or dt.datetime.now(dt.UTC).date()  # the server's day (no timezone set)
    digests = root / "digests"
    digests.mkdir(parents=True)
    made = []
    for name, pattern, replacement in TODAYS:
        text = (CORPUS / name).read_text(encoding="utf-8")
        new = replacement.format(y=today.year, m=today.month, d=today.day)
        target = digests / Path(name).name
        target.write_text(re.sub(pattern, new, text), encoding="utf-8")
        made.append(target)
    old = digests / Path(OLD).name
    old.write_bytes((CORPUS / OLD).read_bytes())
    made.append(old)
    config = root / "rules.yaml"
    config.write_text(RULES, encoding="utf-8")
    space = Workspace(root, config, f"sqlite:///{root / 'notifier.db'}", tuple(made), today)
    done = space.notifier("ingest", "--no-send", "-q", *map(str, made))
    assert done.returncode == 0, done.stderr
    return space


#: A subscriber's chat: its id must never reach a client.
CHAT = 987654321


def add_trouble(space: Workspace) -> list[int]:
    """Make the store hold what must not leak and what ``retry`` works on: two dead
    deliveries whose errors quote the webhook (as a careless adapter might), a target
    error quoting the signing secret, a delivery to a subscriber's chat. Returns the ids
    of the dead deliveries."""
    import sqlite3

    path = space.store.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        ids = [
            row[0]
            for row in db.execute(
                "SELECT id FROM deliveries WHERE target = 'team-feishu' ORDER BY id LIMIT 2"
            )
        ]
        db.executemany(
            "UPDATE deliveries SET state = 'dead', attempts = 5, last_error = ? WHERE id = ?",
            [(f"POST {WEBHOOK} answered 500", i) for i in ids],
        )
        db.execute(
            "INSERT INTO deliveries (story_id, target, rules, score, state, due_at, created_at,"
            " entry) SELECT story_id, ?, rules, score, 'sent', due_at, created_at, entry"
            " FROM deliveries WHERE id = ?",
            (f"tg:{CHAT}", ids[0]),
        )
        db.execute(
            "INSERT OR REPLACE INTO targets (name, status, last_error, last_error_at)"
            " VALUES ('team-feishu', 'active', ?, 1.0)",
            (f"signature {SECRET} refused",),
        )
    return ids
