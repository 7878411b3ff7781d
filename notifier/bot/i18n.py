"""Every text the bot shows, in English and Chinese.

``t(lang, key, **values)`` formats a message; values are HTML-escaped here, so callers
pass user input as is. A value wrapped in :class:`Html` is inserted unescaped (text the
bot built itself, already escaped).
"""

from __future__ import annotations

import html
from typing import Any


class Html(str):
    """Text that is already Telegram HTML: inserted into a message unescaped."""


def lang_of(language_code: str | None, default: str = "en") -> str:
    """The bot language for a Telegram ``language_code`` (``zh-hans`` → ``zh``)."""
    if not language_code:
        return default
    return "zh" if language_code.lower().startswith("zh") else "en"


def t(lang: str, key: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` with ``values`` escaped and filled in."""
    table = TEXTS[key]
    template = table.get(lang) or table["en"]
    safe = {
        k: v if isinstance(v, Html) else html.escape(str(v), quote=False)
        for k, v in values.items()
    }
    return template.format(**safe)


#: (command, English description, Chinese description) for setMyCommands and /help.
COMMANDS = (
    ("start", "Welcome and how to subscribe", "欢迎与订阅方法"),
    ("sub", "Subscribe: /sub OpenAI +chip !ad", "订阅：/sub OpenAI +芯片 !广告"),
    ("list", "Your subscriptions", "我的订阅"),
    ("unsub", "Delete one or all: /unsub 3", "删除订阅：/unsub 3"),
    ("pause", "Pause one or all", "暂停推送"),
    ("resume", "Resume one or all", "恢复推送"),
    ("mode", "instant, or digest 09:00", "即时推送或每日摘要"),
    ("tz", "Time zone: /tz Asia/Shanghai", "时区：/tz Asia/Shanghai"),
    ("quiet", "Quiet hours: /quiet 23:00-07:00", "免打扰：/quiet 23:00-07:00"),
    ("test", "Which subscription a headline matches", "测试标题会匹配哪些订阅"),
    ("top", "Today's hottest stories", "今日最热"),
    ("lang", "Language: /lang en | zh", "语言：/lang en | zh"),
    ("help", "All commands", "全部命令"),
)

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "en": (
            "👋 <b>Hot topics, pushed to you.</b>\n"
            "Tell me what you care about and I send you the matching stories, as they come "
            "or as a daily digest.\n\n"
            'Try: <code>/sub OpenAI 英伟达 "Sam Altman" +芯片 !广告</code>\n'
            'Plain words: any of them; <code>"a phrase"</code>; <code>+word</code> required; '
            "<code>!word</code> excluded.\n\n"
            "/help lists every command. 中文：/lang zh"
        ),
        "zh": (
            "👋 <b>热点新闻，推送给你。</b>\n"
            "告诉我你关心什么，我会把匹配的新闻即时推送，或每天汇总成摘要。\n\n"
            '试试：<code>/sub OpenAI 英伟达 "Sam Altman" +芯片 !广告</code>\n'
            '普通词：任一命中即可；<code>"短语"</code>；<code>+词</code> 必须出现；'
            "<code>!词</code> 排除。\n\n"
            "/help 查看全部命令。English: /lang en"
        ),
    },
    "welcome_group": {
        "en": (
            "👋 Hello! I push the news this group subscribes to. Admins: "
            "<code>/sub OpenAI 英伟达 +芯片 !广告</code>; everyone: /list, /top, /help."
        ),
        "zh": (
            "👋 大家好！我会把本群订阅的新闻推送到这里。管理员可以 "
            "<code>/sub OpenAI 英伟达 +芯片 !广告</code>；所有人可用 /list、/top、/help。"
        ),
    },
    "help": {
        "en": "<b>Commands</b>\n{commands}\n\nIn a group only admins change its subscriptions.",
        "zh": "<b>命令</b>\n{commands}\n\n在群组里只有管理员可以修改订阅。",
    },
    "lang_set": {"en": "Language: English.", "zh": "语言已切换为中文。"},
    "lang_usage": {"en": "Usage: /lang en or /lang zh", "zh": "用法：/lang en 或 /lang zh"},
    "lang_current": {
        "en": "Language: English. Change it with /lang zh (中文) or /lang en.",
        "zh": "当前语言：中文。切换：/lang en（English）或 /lang zh。",
    },
    "sub_usage": {
        "en": (
            'Usage: <code>/sub OpenAI 英伟达 "Sam Altman" +芯片 !广告</code>\n'
            'words: any of them · "phrase" · +required · !excluded'
        ),
        "zh": (
            '用法：<code>/sub OpenAI 英伟达 "Sam Altman" +芯片 !广告</code>\n'
            '普通词：任一 · "短语" · +必须 · !排除'
        ),
    },
    "sub_ok": {
        "en": "✅ Subscribed <b>#{id}</b>: <code>{expr}</code>\n{terms}",
        "zh": "✅ 已订阅 <b>#{id}</b>：<code>{expr}</code>\n{terms}",
    },
    "sub_ok_target": {
        "en": "✅ Subscribed <b>#{id}</b> for {target}: <code>{expr}</code>\n{terms}",
        "zh": "✅ 已为 {target} 订阅 <b>#{id}</b>：<code>{expr}</code>\n{terms}",
    },
    "terms_any": {"en": "any of: {terms}", "zh": "任一：{terms}"},
    "terms_all": {"en": "required: {terms}", "zh": "必须：{terms}"},
    "terms_none": {"en": "excluded: {terms}", "zh": "排除：{terms}"},
    "preview": {
        "en": "\n<b>In the last {days} days this would have caught:</b>\n{stories}",
        "zh": "\n<b>最近 {days} 天内会匹配到：</b>\n{stories}",
    },
    "preview_more": {"en": "… and {count} more", "zh": "……另有 {count} 条"},
    "preview_none": {
        "en": "\nNothing in the last {days} days would have matched yet.",
        "zh": "\n最近 {days} 天内还没有匹配的新闻。",
    },
    "sub_cap": {
        "en": "This chat has {count} subscriptions, the most allowed. "
        "Delete one with /unsub first.",
        "zh": "本会话已有 {count} 个订阅，达到上限。请先用 /unsub 删除一个。",
    },
    "sub_dup": {
        "en": "You already have this subscription (#{id}).",
        "zh": "已经订阅过了（#{id}）。",
    },
    "too_many_terms": {
        "en": "Too many keywords: {count} (at most {limit} per subscription).",
        "zh": "关键词太多：{count} 个（每个订阅最多 {limit} 个）。",
    },
    "expr_too_long": {
        "en": "That expression is too long: {count} characters (at most {limit}).",
        "zh": "表达式太长：{count} 个字符（最多 {limit}）。",
    },
    "expr_error": {
        "en": "I could not read that expression: {reason} (character {column}).",
        "zh": "无法解析这个表达式：{reason}（第 {column} 个字符）。",
    },
    "only_excluded": {
        "en": (
            "Only excluded words (!word): add a word to look for, "
            "e.g. <code>/sub 英伟达 !广告</code>"
        ),
        "zh": "只有排除词（!词）：请加一个要找的词，例如 <code>/sub 英伟达 !广告</code>",
    },
    "html_refused": {
        "en": "Keywords cannot contain HTML tags like <code>&lt;b&gt;</code>; send plain words.",
        "zh": "关键词不能包含 <code>&lt;b&gt;</code> 之类的 HTML 标签，请直接输入文字。",
    },
    "list_empty": {
        "en": "No subscriptions yet. Try <code>/sub OpenAI</code>.",
        "zh": "还没有订阅。试试 <code>/sub OpenAI</code>。",
    },
    "list_header": {"en": "<b>Subscriptions</b> ({mode})", "zh": "<b>订阅</b>（{mode}）"},
    "list_header_target": {
        "en": "<b>Subscriptions of {target}</b> ({mode})",
        "zh": "<b>{target} 的订阅</b>（{mode}）",
    },
    "list_item": {
        "en": "#{id} <code>{expr}</code>{paused}",
        "zh": "#{id} <code>{expr}</code>{paused}",
    },
    "paused_mark": {"en": " ⏸ paused", "zh": " ⏸ 已暂停"},
    "chat_paused": {"en": "⏸ All paused: /resume", "zh": "⏸ 已全部暂停：/resume"},
    "mode_instant_name": {"en": "instant", "zh": "即时推送"},
    "mode_digest_name": {"en": "digest at {times} {tz}", "zh": "每日摘要 {times} {tz}"},
    "btn_pause": {"en": "⏸ #{id}", "zh": "⏸ #{id}"},
    "btn_resume": {"en": "▶️ #{id}", "zh": "▶️ #{id}"},
    "btn_delete": {"en": "🗑 #{id}", "zh": "🗑 #{id}"},
    "cb_paused": {"en": "Paused #{id}", "zh": "已暂停 #{id}"},
    "cb_resumed": {"en": "Resumed #{id}", "zh": "已恢复 #{id}"},
    "cb_deleted": {"en": "Deleted #{id}", "zh": "已删除 #{id}"},
    "cb_gone": {"en": "That subscription no longer exists", "zh": "该订阅已不存在"},
    "unsub_usage": {
        "en": "Usage: /unsub 3 deletes subscription #3 (numbers: /list); "
        "/unsub all deletes every one.",
        "zh": "用法：/unsub 3 删除 #3 订阅（编号见 /list）；/unsub all 删除全部订阅。",
    },
    "unsub_done": {"en": "🗑 Deleted {count} subscription(s).", "zh": "🗑 已删除 {count} 个订阅。"},
    "pause_all": {
        "en": "⏸ Paused. Nothing is sent until /resume.",
        "zh": "⏸ 已暂停，/resume 之前不再推送。",
    },
    "resume_all": {"en": "▶️ Resumed.", "zh": "▶️ 已恢复推送。"},
    "pause_one": {"en": "⏸ Paused #{id}.", "zh": "⏸ 已暂停 #{id}。"},
    "resume_one": {"en": "▶️ Resumed #{id}.", "zh": "▶️ 已恢复 #{id}。"},
    "not_found": {
        "en": "There is no subscription #{id} here; see /list.",
        "zh": "这里没有订阅 #{id}，请看 /list。",
    },
    "bad_id": {
        "en": "Give a subscription number from /list, or nothing for all.",
        "zh": "请给出 /list 里的订阅编号，不写则表示全部。",
    },
    "mode_usage": {
        "en": "Usage: /mode instant, or /mode digest 09:00 [18:00]",
        "zh": "用法：/mode instant，或 /mode digest 09:00 [18:00]",
    },
    "mode_instant": {"en": "Stories are sent as they come.", "zh": "新闻将即时推送。"},
    "mode_digest": {
        "en": "A digest is sent at {times} ({tz}).",
        "zh": "将在 {times}（{tz}）推送摘要。",
    },
    "bad_time": {
        "en": "{value} is not a time; write HH:MM, e.g. 09:00.",
        "zh": "{value} 不是有效时间，请写成 HH:MM，例如 09:00。",
    },
    "tz_usage": {
        "en": "Usage: /tz Asia/Shanghai (now: {tz})",
        "zh": "用法：/tz Asia/Shanghai（当前：{tz}）",
    },
    "tz_bad": {
        "en": "Unknown time zone {value}; e.g. Asia/Shanghai, Europe/Berlin, UTC.",
        "zh": "未知时区 {value}，例如 Asia/Shanghai、Europe/Berlin、UTC。",
    },
    "tz_set": {
        "en": "Time zone: {tz} (now {time} there).",
        "zh": "时区：{tz}（当地时间 {time}）。",
    },
    "quiet_usage": {
        "en": "Usage: /quiet 23:00-07:00, or /quiet off",
        "zh": "用法：/quiet 23:00-07:00，或 /quiet off",
    },
    "quiet_set": {
        "en": "Quiet hours {start}–{end} ({tz}): stories wait until they end.",
        "zh": "免打扰 {start}–{end}（{tz}）：期间的新闻会在结束后推送。",
    },
    "quiet_off": {"en": "Quiet hours off.", "zh": "已关闭免打扰。"},
    "test_usage": {
        "en": "Usage: /test a headline, e.g. <code>/test 英伟达发布新芯片</code>",
        "zh": "用法：/test 标题，例如 <code>/test 英伟达发布新芯片</code>",
    },
    "test_no_subs": {
        "en": "You have no subscriptions to test; /sub first.",
        "zh": "还没有可测试的订阅，请先 /sub。",
    },
    "test_match": {
        "en": "✅ #{id} <code>{expr}</code>: matches ({hits}), score {score}",
        "zh": "✅ #{id} <code>{expr}</code>：匹配（{hits}），得分 {score}",
    },
    "test_miss": {
        "en": "✖️ #{id} <code>{expr}</code>: {reason}",
        "zh": "✖️ #{id} <code>{expr}</code>：{reason}",
    },
    "top_header": {"en": "<b>🔥 Hottest today</b>", "zh": "<b>🔥 今日最热</b>"},
    "top_empty": {"en": "No stories from today yet.", "zh": "今天还没有新闻。"},
    "story_sources": {"en": "{count} sources", "zh": "{count} 个来源"},
    "unknown": {
        "en": "I don't know that command. /help lists what I can do.",
        "zh": "不认识这个命令。/help 查看全部命令。",
    },
    "text_hint": {
        "en": "Send a command, e.g. <code>/sub OpenAI</code>; /help lists them all.",
        "zh": "请发送命令，例如 <code>/sub OpenAI</code>；/help 查看全部命令。",
    },
    "too_long": {
        "en": "That message is too long ({count} characters); I read at most {limit}.",
        "zh": "消息太长（{count} 个字符），最多 {limit} 个。",
    },
    "not_admin": {
        "en": "Sorry, only the group's admins can change its subscriptions.",
        "zh": "抱歉，只有群管理员可以修改本群的订阅。",
    },
    "route_refused": {
        "en": "Only the bot's admins can subscribe other chats.",
        "zh": "只有机器人管理员可以为其他会话订阅。",
    },
    "route_unknown": {
        "en": "I cannot find the chat {target}; add the bot there first.",
        "zh": "找不到会话 {target}，请先把机器人加进去。",
    },
    "route_cannot_post": {
        "en": "I cannot post in {target}; make the bot an admin that may post messages.",
        "zh": "我无法在 {target} 发消息，请把机器人设为可发消息的管理员。",
    },
    "slow_down": {
        "en": "Too many commands; please wait {seconds} s.",
        "zh": "命令太频繁，请等待 {seconds} 秒。",
    },
    "error": {
        "en": "Sorry, something went wrong. Please try again in a moment.",
        "zh": "抱歉，出了点问题，请稍后再试。",
    },
}
