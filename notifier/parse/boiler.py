"""Parts of a page that are not news: what their headings and link texts say.

A heading names a non-news part (ads, commentary, the day's summary, keywords, outlook,
FAQ, subscribe and contact blocks, stats, navigation) when it is short, like a section
name, and holds one of the words below. A long heading is a story title, whatever words
it holds ("谷歌广告收入创新高" is news). A story title is only dropped for an explicit
sponsor tag (``(Sponsor)``, ``【广告】``) or when it is a navigation word (上一期, Next).
"""

from __future__ import annotations

import re

from notifier.parse.common import weight

HEADING_MAX = 28  # weight above which a heading is a title, not a part's name

# Words that make any short heading a non-news part.
_STRONG = (
    "点评",
    "解读",
    "编者按",
    "写在最后",
    "editor's note",
    "commentary",
    "广告",
    "推广",
    "赞助",
    "产品自荐",
    "sponsor",
    "advertis",
    "播客",
    "podcast",
    "tech tales",
    "fiction",
    "short story",
    "小说",
    "一句话",
    "今日概要",
    "本期概要",
    "要点汇总",
    "关键词",
    "趋势预测",
    "常见问题",
    "faq",
    "tl;dr",
    "tldr",
    "keywords",
    "what to watch",
    "looking ahead",
    "table of contents",
    "目录",
    "订阅",
    "联系我们",
    "关注我们",
    "加入社群",
    "交流群",
    "往期",
    "往年",
    "封面图",
    "关于我们",
    "免责声明",
    "版权",
    "数据统计",
    "数据说明",
    "致谢",
    "贡献者",
    "subscribe",
    "follow us",
    "tell your friends",
    "contributors",
    "acknowledg",
    "disclaimer",
    "copyright",
    "previous issues",
    "past issues",
    "related",
    "相关阅读",
    "延伸阅读",
    "参考资料",
    "参考链接",
    "see also",
    "links mentioned",
    "link mentioned",
    "quote of the week",
    "本周金句",
    "that's it for today",
    "that's all for today",
    "thanks for reading",
    "thank you for reading",
    "until next time",
    "see you tomorrow",
    "see you next",
    "今天就到这里",
    "感谢阅读",
    "本期到此",
    "以上就是",
)
# Words that name a non-news part only when the heading is little more than the word.
_WEAK = (
    "评论",
    "小结",
    "总结",
    "结语",
    "概览",
    "导读",
    "标签",
    "展望",
    "预测",
    "趋势",
    "说明",
    "统计",
    "关于",
    "tags",
    "contents",
    "outlook",
    "predictions",
    "contact",
    "about",
    "feedback",
    "share",
    "referral",
    "refer",
    "work at",
    "work with",
    "hiring",
    "声明",
    "jobs",
    "stats",
    "statistics",
    "credits",
    "archive",
    "封面",
    "cover",
    "final thoughts",
    "of the week",
    "games",
    "puzzles",
    "游戏",
    "时间轴",
    "制作",
    "chapters",
    "show notes",
    "合作伙伴",
    "partners",
    "partner",
    "calls for",
    "history",
    "历史",
    "summary",
    "overview",
    "intro",
    "introduction",
)
# Calls to the reader, found in footers whatever the heading's length.
_FOOTER = (
    "together with",
    "in partnership with",
    "presented by",
    "brought to you by",
    "a message from",
    "tell your friends",
    "advertise with",
    "advertise in",
    "want to advertise",
    "want to work at",
    "we're hiring",
    "refer a friend",
    "referral",
    "unsubscribe",
    "manage your subscription",
    "follow us",
    "subscribe to",
    "forwarded this",
    "received this email",
    "your preferences",
    "email preferences",
    "manage preferences",
    "receiving this email",
    "you are receiving this",
    "you have received this",
    "扫码",
    "二维码",
    "点赞",
    "在看",
    "转发",
    "订阅我们",
    "关注我们",
    "关注公众号",
)
_WEAK_EXTRA = 10  # weight a heading may have beyond a weak word
_DECOR_RE = re.compile(r"[^\w\s]+")
_SPONSOR_TAG_RE = re.compile(
    r"[(（\[【]\s*(?:sponsor(?:ed)?|ad|advertisement|partner|promoted|广告|推广|赞助|软文)\s*[)）\]】]",
    re.IGNORECASE,
)
NAV_WORDS = frozenset(
    {
        "上一期",
        "下一期",
        "上一篇",
        "下一篇",
        "上一页",
        "下一页",
        "首页",
        "返回",
        "返回目录",
        "返回首页",
        "目录",
        "归档",
        "往期",
        "往年",
        "封面图",
        "往期回顾",
        "更多往期",
        "home",
        "index",
        "archive",
        "archives",
        "previous",
        "next",
        "prev",
        "newer",
        "older",
        "newer posts",
        "older posts",
        "back",
        "top",
        "back to top",
        "previous issue",
        "next issue",
        "all issues",
        "rss",
        "unsubscribe",
        "subscribe",
        "view in browser",
        "view online",
        "read online",
        "web version",
        "sign up",
        "share",
    }
)
_NAV_TRIM = " \t←→«»<>|‹›·•-—–:：()（）[]【】"


def _words(words: tuple[str, ...], *, whole: bool) -> re.Pattern[str]:
    """One pattern for ``words``: an ASCII word starts a word (``sponsor`` in
    ``sponsored``); ``whole``: it is a whole word (``share`` is not in ``shares``)."""
    parts = []
    for word in words:
        if word.isascii():
            end = r"(?![a-z])" if whole else ""
            parts.append(rf"(?<![a-z0-9]){re.escape(word)}{end}")
        else:
            parts.append(re.escape(word))
    return re.compile("|".join(parts))


_FOOTER_RE = re.compile("|".join(re.escape(p) for p in _FOOTER))
_STRONG_RE = _words(_STRONG, whole=False)
_WEAK_RE = _words(_WEAK, whole=True)


def non_news_heading(title: str) -> bool:
    """True for a short heading that names ads, commentary or other boilerplate, or any
    heading that asks the reader to subscribe, share, advertise or apply."""
    low = title.casefold()
    if _FOOTER_RE.search(low):
        return True
    if weight(title) > HEADING_MAX:
        return False
    if _STRONG_RE.search(low):
        return True
    weak = [m.group() for m in _WEAK_RE.finditer(low)]
    if not weak:
        return False
    bare = weight(_DECOR_RE.sub("", low).strip())
    return any(bare <= weight(w) + _WEAK_EXTRA for w in weak)


def footer(text: str) -> bool:
    """True for a text that asks the reader to subscribe, share or unsubscribe, or says why
    they got the email."""
    return _FOOTER_RE.search(text.casefold()) is not None


def sponsored(title: str) -> bool:
    """True for a story title tagged as paid: ``(Sponsor)``, ``【广告】``."""
    return _SPONSOR_TAG_RE.search(title) is not None


def navigation(title: str) -> bool:
    """True for a link text that navigates: 上一期, Next →, Home."""
    return title.casefold().strip(_NAV_TRIM) in NAV_WORDS
