"""Helpers for pipeline tests: a config in a temp folder, ntfy fakes as targets, the
service as a real process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from notifier.config import Config, load_config

RULES = """
- name: ai
  any: [OpenAI, GPT, Anthropic, Claude, Gemini, AI, 大模型, 英伟达, NVIDIA, 模型, 芯片]
"""


def write_config(folder: Path, channels: str, rules: str = RULES, extra: str = "") -> Config:
    """Write rules.yaml into ``folder`` and load it."""
    text = (
        "channels:\n"
        + textwrap.indent(textwrap.dedent(channels).strip(), "  ")
        + "\nrules:\n"
        + textwrap.indent(textwrap.dedent(rules).strip(), "  ")
        + "\n"
        + textwrap.dedent(extra)
    )
    path = folder / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


_TOPICS = [
    "OpenAI ships a reasoning model for hospitals",
    "Anthropic opens a Tokyo office for Claude",
    "Gemini gains a video editor inside Docs",
    "NVIDIA books record data centre revenue",
    "英伟达发布新一代芯片 面向边缘推理",
    "国产大模型开源 支持百万上下文",
    "GPT agents learn to file expense reports",
    "Claude writes firmware for a weather buoy",
    "AI startup raises money for protein folding",
    "Gemini Nano arrives on budget phones in India",
    "OpenAI and a bank test voice assistants",
    "NVIDIA robotics kit lands in school labs",
]


def digest(n: int, *, day: str = "2026-12-04") -> bytes:
    """A markdown digest of ``n`` (at most 12) distinct AI stories dated ``day``."""
    lines = [f"# AI daily {day}", ""]
    for i, title in enumerate(_TOPICS[:n], 1):
        lines.append(f"{i}. [{title}](https://example.com/story/{i})")
        lines.append(f"   What happened in story {i}.")
    return "\n".join(lines).encode("utf-8")


def start(config: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``notifier run -c CONFIG`` as a process; its stderr (the log) goes to log.txt beside
    the config."""
    cmd = [sys.executable, "-m", "notifier", "run", "-c", str(config), "--listen", "127.0.0.1:0"]
    with open(config.parent / "log.txt", "ab") as log:
        return subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=log, env={**os.environ, **(env or {})}
        )


def sent(messages: Iterable[Any]) -> Counter[str]:
    """Story numbers in the messages a fake received, with how many times each."""
    found: Counter[str] = Counter()
    for message in messages:  # a message names its story's URL more than once
        found.update(set(re.findall(r"example\.com/story/(\d+)", str(message))))
    return found


def wait_for(check: Callable[[], object], timeout: float = 60.0, every: float = 0.05) -> None:
    """Poll ``check`` every ``every`` seconds until it is true; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(every)
