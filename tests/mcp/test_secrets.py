"""What ``notifier mcp`` masks: every secret or address of the config, wherever it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifier.config import load_config
from notifier.views.secrets import MASK, config_secrets, scrub, scrub_text

CONFIG = """\
channels:
  tg: {type: telegram, token: "123456:AAE-abc_def-ghi", chat_id: "-1001234567890"}
  fs: {type: feishu, webhook: "${HOOK}", secret: "sign-secret-xyz"}
  nt: {type: ntfy, topic: ai-news-private-topic, priority: auto}
sources:
  feed:
    type: url
    url: "https://example.com/feed.xml?key=feed-key-12345"
    headers: {Authorization: "Bearer header-token-abcdef"}
rules:
  - name: a
    any: [x]
    notify: [tg, fs, nt]
"""
HOOK = "https://open.feishu.cn/open-apis/bot/v2/hook/abcdef-123456"


def test_every_secret_and_address_of_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK", HOOK)
    path = tmp_path / "rules.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    secrets = config_secrets(load_config(path), ["mcp-token-0123456789", None])
    for value in (
        "123456:AAE-abc_def-ghi",
        "-1001234567890",
        HOOK,
        "sign-secret-xyz",
        "ai-news-private-topic",
        "https://example.com/feed.xml?key=feed-key-12345",
        "key=feed-key-12345",
        "Bearer header-token-abcdef",
        "mcp-token-0123456789",
    ):
        assert value in secrets
    assert "auto" not in secrets  # settings that are not secrets, and short values, stay
    assert "telegram" not in secrets


def test_scrub_masks_inside_any_value() -> None:
    secrets = frozenset({"sign-secret-xyz", "1001234567890", "https://h/x?k=sign-secret-xyz"})
    data = {
        "error": "POST https://h/x?k=sign-secret-xyz failed",
        "rows": [{"chat": 1001234567890, "ok": True, "score": 3.5}, "sign-secret-xyz!"],
    }
    assert scrub(data, secrets) == {
        "error": f"POST {MASK} failed",
        "rows": [{"chat": MASK, "ok": True, "score": 3.5}, f"{MASK}!"],
    }
    assert scrub_text("nothing here", secrets) == "nothing here"
    assert scrub(data, frozenset()) is data
