"""Helpers for pipeline tests: a config in a temp folder, ntfy fakes as targets."""

from __future__ import annotations

import textwrap
from pathlib import Path

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
