"""The page's words in English and Chinese (``?lang=en|zh``; default: the config's
``delivery.language``)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from notifier.delivery.texts import DEFAULT, LANGUAGES

if TYPE_CHECKING:
    from notifier.config import Config


TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Hot topics",
        "nav_day": "Today",
        "nav_play": "Playground",
        "nav_status": "Status",
        "other_lang": "中文",
        "day": "Day",
        "rule": "Rule",
        "tag": "Tag",
        "source": "Source",
        "search": "Search",
        "any": "any",
        "show": "Show",
        "stories": "stories",
        "shown": "shown",
        "matches": "matches",
        "score": "score",
        "sources": "sources",
        "one_source": "source",
        "rank": "rank",
        "more": "more",
        "other": "Matching no rule",
        "no_stories": "No stories on this day.",
        "prev": "previous day",
        "next": "next day",
        "delivered": "delivered",
        "not_delivered": "not delivered",
        "play_title": "Rule playground",
        "play_help": "A rule expression (OpenAI +GPT !广告) or one rule in YAML.",
        "days": "days",
        "try": "Try",
        "considered": "stories looked at",
        "no_match": "Nothing matched.",
        "status_title": "Service status",
        "targets": "Targets",
        "queue": "Queue",
        "workers": "Workers",
        "quarantined": "Skipped subscriptions",
        "last_error": "last error",
        "last_sent": "last sent",
        "never": "never",
        "none": "none",
        "queued": "queued",
        "sent": "sent",
        "dead": "dead",
        "host": "host",
        "role": "role",
        "claims": "claims",
        "last_read": "last read",
        "reason": "reason",
        "state": "state",
        "name": "name",
        "generated": "Generated",
        "refreshing": "refreshes every 5 s",
        "state_sent": "sent",
        "state_queued": "queued",
        "state_retrying": "retrying",
        "state_sending": "sending",
        "state_failed": "failed",
        "state_summarised": "summarised",
        "state_dropped": "dropped",
    },
    "zh": {
        "title": "今日热点",
        "nav_day": "今日",
        "nav_play": "规则试验",
        "nav_status": "服务状态",
        "other_lang": "English",
        "day": "日期",
        "rule": "规则",
        "tag": "标签",
        "source": "来源",
        "search": "搜索",
        "any": "全部",
        "show": "显示",
        "stories": "条新闻",
        "shown": "条显示",
        "matches": "条匹配",
        "score": "得分",
        "sources": "个来源",
        "one_source": "个来源",
        "rank": "排名",
        "more": "更多",
        "other": "未匹配任何规则",
        "no_stories": "这一天没有新闻。",
        "prev": "前一天",
        "next": "后一天",
        "delivered": "推送",
        "not_delivered": "未推送",
        "play_title": "规则试验场",
        "play_help": "输入规则表达式（OpenAI +GPT !广告）或一条 YAML 规则。",
        "days": "天",
        "try": "试试",
        "considered": "条新闻已检查",
        "no_match": "没有匹配。",
        "status_title": "服务状态",
        "targets": "推送目标",
        "queue": "队列",
        "workers": "工作进程",
        "quarantined": "已跳过的订阅",
        "last_error": "最近错误",
        "last_sent": "最近发送",
        "never": "从未",
        "none": "无",
        "queued": "排队",
        "sent": "已发送",
        "dead": "失败",
        "host": "主机",
        "role": "角色",
        "claims": "领取",
        "last_read": "最近读取",
        "reason": "原因",
        "state": "状态",
        "name": "名称",
        "generated": "生成于",
        "refreshing": "每 5 秒刷新",
        "state_sent": "已发送",
        "state_queued": "排队中",
        "state_retrying": "重试中",
        "state_sending": "发送中",
        "state_failed": "失败",
        "state_summarised": "已汇总",
        "state_dropped": "已丢弃",
    },
}


def language(asked: str | None, config: Config | None) -> str:
    """``asked`` when it is a language, else the config's delivery language, else en."""
    if asked in LANGUAGES:
        return str(asked)
    if config is not None:
        found = Counter(p.language for p in config.delivery.values() if p.language)
        if found:
            best = found.most_common(1)[0][0]
            if best in LANGUAGES:
                return best
    return DEFAULT
