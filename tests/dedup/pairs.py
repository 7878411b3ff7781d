"""Story pairs of the real corpus, labelled by reading the digests (not by running dedup).

An item is named by its digest (path under the corpus folder, a prefix is enough) and the
start of its title as the parser reads it. ``SAME`` pairs report one story (an event, a
release, a repository); ``DIFFERENT`` pairs are distinct stories that share names or words.
Every corpus pair not labelled here is a different story too: the whole corpus was read
for repeats (362 items; two digests of the same week, e.g. 2025-11-13 and 2025-11-22 of
AI洞察日报, share their GitHub-trending entries). ``AMBIGUOUS`` pairs are left out of all
counts.

The OpenAI–AWS compute deal (seeds/001) is in no other digest of the corpus; its
cross-source case is built from its title in ``test_corpus_pairs.py``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from notifier.items import Item

CORPUS = Path(
    os.environ.get("NOTIFIER_CORPUS") or Path(__file__).resolve().parents[3] / "shared" / "corpus"
)

Ref = tuple[str, str]  # (digest path prefix, title prefix)

#: The same entry again in a later edition, the title unchanged (GitHub trending).
SAME_REPEATED: list[tuple[Ref, Ref]] = [
    (("seeds/000", "adk-go"), ("insight-daily/2025-11-22", "adk-go")),
    (("seeds/000", "ChinaTextbook"), ("insight-daily/2025-11-22", "ChinaTextbook")),
    (("seeds/000", "TrendRadar"), ("insight-daily/2025-11-22", "TrendRadar")),
    (("seeds/000", "traefik"), ("insight-daily/2025-11-22", "traefik")),
    (("seeds/000", "nvm"), ("insight-daily/2025-11-22", "nvm")),
    (("seeds/000", "cursor-free-vip"), ("insight-daily/2025-11-22", "cursor-free-vip")),
    (("seeds/000", "cursor-free-vip"), ("insight-daily/2025-10-27", "cursor-free-vip")),
    (("insight-daily/2025-10-27", "cursor-free-vip"), ("insight-daily/2025-11-22", "cursor-")),
    (("insight-daily/2026-01-20", "langextract"), ("insight-daily/2026-02-12", "langextract")),
]

#: One story told in other words by two publishers (across digests, or two sources
#: merged into one digest).
SAME_REWORDED: list[tuple[Ref, Ref]] = [
    (("deepgeek/2025-12-05", "英伟达与香港大学"), ("seeds/004", "NVIDIA 推出 ToolOrchestra")),
    (("deepgeek/2025-12-05", "英伟达与香港大学"), ("seeds/004", "Orchestrator-8B")),
    (("seeds/004", "NVIDIA 推出 ToolOrchestra"), ("seeds/004", "Orchestrator-8B")),
    (("deepgeek/2025-12-08", "DeepSeek 一口气"), ("seeds/004", "DeepSeek-V3.2 正式版")),
    (("deepgeek/2025-12-08", "阿里巴巴推出 Qwen3"), ("insight-daily/2025-12-11", "Qwen3-TTS")),
    (("deepgeek/2025-12-15", "未来AI的"), ("insight-daily/2025-12-11", "Andrej Karpathy")),
    (("seeds/003", "加速端侧"), ("seeds/003", "面壁智能完成")),
    (("seeds/003", "MiniMax发布"), ("seeds/003", "MiniMax Agent")),
    (("seeds/003", "吸金6.6亿"), ("seeds/003", "生成式AI席卷Steam")),
    (("deepgeek/2025-12-05", "谷歌在 Gemini 应用"), ("deepgeek/2025-12-05", "社交媒体确认谷歌")),
    (("deepgeek/2025-12-05", "快手旗下 可灵AI"), ("deepgeek/2025-12-05", "可灵数字人 2.0")),
    (
        ("insight-daily/2026-03-05", "Codex App"),
        ("insight-daily/2026-03-05", "OpenAI 发布 Windows"),
    ),
]

#: Different stories that share a company, a product or a phrase.
DIFFERENT: list[tuple[Ref, Ref]] = [
    (("seeds/001", "OpenAI 与亚马逊"), ("seeds/002", "OpenAI启动万亿美元")),
    (("seeds/001", "OpenAI 与亚马逊"), ("72live/20251204", "OpenAI 将收购 Neptune")),
    (("seeds/000", "OpenAI 发布 GPT-5.1"), ("deepgeek/2025-12-05", "OpenAI 正式推出编程模型")),
    (("seeds/003", "软银急需"), ("seeds/002", "OpenAI启动万亿美元")),
    (("insight-daily/2026-01-20", "马斯克向 OpenAI"), ("insight-daily/2026-01-20", "神秘代号")),
    (("deepgeek/2025-12-15", "OpenAI十周年"), ("deepgeek/2025-12-15", "OpenAI Sora安卓版")),
    (("seeds/004", "开发者曝光 ChatGPT"), ("deepgeek/2025-12-08", "OpenAI 首席研究官")),
    (("72live/20250905", "亚马逊云科技(AWS)"), ("seeds/003", "亚马逊SageMaker")),
    (("72live/20251003", "可灵2.5Turbo"), ("seeds/000", "视频生成可控性再升级")),
    (("72live/20251204", "快手可灵 2.6"), ("seeds/003", "可灵2.6发布运动控制")),
    (("seeds/004", "快手科技旗下的 Kling AI"), ("deepgeek/2025-12-08", "快手旗下 可灵 AI")),
    (("seeds/003", "钉钉发布全球首个"), ("seeds/003", "钉钉发布企业级")),
    (("seeds/001", "马斯克脑机接口"), ("72live/20251204", "马斯克展示脑机接口")),
    (("deepgeek/2025-12-08", "谷歌 DeepMind 首席执行官"), ("deepgeek/2025-12-08", "哈萨比斯隔空")),
    (("seeds/004", "Google 正在大力推广"), ("seeds/004", "AI 助手 Kimi")),
    (("deepgeek/2025-11-24", "顶流设计Agent"), ("deepgeek/2025-12-08", "YouMind")),
    (("seeds/003", "蚂蚁集团发布"), ("seeds/003", "蚂蚁集团牵头")),
    (("72live/20251108", "欧盟AI法案"), ("seeds/004", "欧盟立法者")),
    (("deepgeek/2025-12-05", "谷歌在 Gemini 应用"), ("deepgeek/2025-12-05", "用户展示了利用")),
    (("seeds/003", "MiniMax发布"), ("seeds/003", "智谱AI发布")),
    (("72live/20251204", "Mistral发布"), ("insight-daily/2026-02-12", "剑指 AI 主权")),
    (("insight-daily/2025-11-22", "Nvidia CEO says"), ("seeds/000", "Microsoft's AI CEO")),
    (("seeds/003", "ChatGPT推出年终回顾"), ("seeds/003", "Perplexity推出2025年")),
    (
        ("deepgeek/2025-12-15", "开源推荐：Every Code"),
        ("deepgeek/2025-12-15", "开源推荐：OpenSkills"),
    ),
]

#: Two items on one model (its ranking, its architecture): not labelled either way.
AMBIGUOUS: list[tuple[Ref, Ref]] = [
    (
        ("deepgeek/2025-12-05", "国产大模型 openPangu"),
        ("deepgeek/2025-12-05", "openPangu-R-72B 采用"),
    ),
]


@functools.cache
def corpus_items() -> tuple[Item, ...]:
    """Every item of the corpus, digests in path order (``Item.origin`` is the path)."""
    from notifier.parse import parse_path

    items: list[Item] = []
    for path in sorted(CORPUS.glob("*/*.md")):
        items.extend(parse_path(path).items)
    return tuple(items)


def digest_of(item: Item) -> str:
    """The item's digest path relative to the corpus folder."""
    return Path(item.origin).resolve().relative_to(CORPUS.resolve()).as_posix()


def lookup(ref: Ref) -> int:
    """The index in :func:`corpus_items` of the one item ``ref`` names."""
    digest, title = ref
    found = [
        i
        for i, item in enumerate(corpus_items())
        if digest_of(item).startswith(digest) and item.title.startswith(title)
    ]
    if len(found) != 1:
        msg = f"{ref} names {len(found)} items"
        raise LookupError(msg)
    return found[0]
