"""What one block of a page says: its title, its link, its text, whether it is boilerplate.

These are the facts the structural reader (:mod:`notifier.parse.structure`) decides from:
a list entry that starts with ``[Title](url)`` or ``**Title**:``, a heading's ``原文链接``
line, a prose paragraph, a placeholder (``暂无数据``), a navigation or sponsor block.
"""

from __future__ import annotations

import dataclasses
import re

from notifier.parse.boiler import navigation
from notifier.parse.common import BUTTON_LINKS, first_sentence, strip_lead, weight
from notifier.parse.inline import BARE_URL_RE, clean_inline, first_url, scan_links, urls_in

# Leading enumeration of a title: 1. 1、 1) (1) （1） 【1】 [1] #1 No.1 ① 一、 第一条
_ENUM = (
    r"\d{1,9}[.)．、）](?!\d)"
    r"|[(（【\[]\s*\d{1,9}\s*[)）】\]]"
    r"|#\d{1,9}(?!\d)"
    r"|No\.\s?\d{1,9}"
    r"|[\u2460-\u2473\u2776-\u277f]"
    r"|(?:\d\ufe0f?\u20e3)+|\U0001f51f"
    r"|[一二三四五六七八九十百零〇]{1,4}[、.．]"
    r"|第[一二三四五六七八九十百零〇\d]{1,4}[条章节部分期]?[、.．:：\s]"
)
# ... also in bold (`**1.** 标题`, `**【3】**`).
ENUM_RE = re.compile(rf"[ \t]*(?:(?:{_ENUM})|(\*\*|__)[ \t]*(?:{_ENUM})[ \t]*\1)[ \t]*")
# A leading image, inline HTML tag or decoration before a title (`<img ..>`, `🔥`, `▶`).
_DECOR_RE = re.compile(
    r"(?:[ \t]*(?:<[^<>]{0,500}>|!\[[^\]]*\]\([^)]*\)|[\[【][^\[\]【】()]{1,12}[\]】](?![(\[])))+"
)
_SYMBOL_LEAD_RE = re.compile(r"[^\w\[\]*_<(（【#\"'“‘《]{1,4}[ \t]*")
_BOLD_LEAD_RE = re.compile(r"(\*\*|__)(.+?)\1")
# What follows a bold title: a separator, a parenthesis then one, or the end of the line.
_TITLE_END_RE = re.compile(
    r"[ \t]*(?:$|\n|[:：|｜—–\-/／·•]"
    r"|[(（](?:[^()（）\n]|\([^()\n]*\)){0,300}[)）][ \t]*(?:$|\n|[:：|｜—–\-/／·•]))"
)
_LINK_SEP = " \t：:-—–|｜·•>»→←«‹›</"

# Short link texts that are buttons ("read the article"), not story text.
BUTTONS = frozenset(
    {
        *BUTTON_LINKS,
        "原文",
        "链接",
        "详情",
        "来源",
        "传送门",
        "点击查看",
        "查看详情",
        "阅读全文",
        "全文",
        "source",
        "link",
        "here",
        "read more",
        "read more →",
        "more",
        "full story",
        "read the full story",
        "continue reading",
        "article",
        "paper",
        "repo",
        "github",
        "website",
        "→",
        "🔗",
    }
)
_URLISH_RE = re.compile(r"(?:https?://)?[\w.-]+\.[a-z]{2,}(?:/\S*)?", re.IGNORECASE)
_SOURCE_WORDS = (
    "原文",
    "来源",
    "出处",
    "链接",
    "地址",
    "source",
    "link",
    "read",
    "original",
    "article",
    "paper",
    "论文",
)
_DISCUSSION_WORDS = ("讨论", "评论", "discussion", "comments", "hn", "thread")
_SOURCE_LABEL_RE = re.compile(
    r"[ \t>*_-]*(?:\*\*|__)?[ \t]*"
    r"(?:read more|source|sources|link|links|原文链接|原文|来源|出处|链接)"
    r"[ \t]*(?:\*\*|__)?[ \t]*[:：](?:[ \t]*(?:\*\*|__))?",
    re.IGNORECASE,
)
LINE_TITLE_MAX = 200  # a first line up to this long is the title of the text under it
SOURCE_NAME_MAX = 40  # weight of a publisher's name after `Title - `
# Labels of a story's link line: `**原文链接**: url`, `Source: url`, `🔗 链接：url`.
LINK_LABEL_MAX = 16

_PLACEHOLDER_RE = re.compile(
    r"[\s\-–—:：.。…!！()（）\[\]【】*_~>#]*(?:"
    r"暂无(?:数据|内容|更新|资讯|新闻)?|今[日天]无(?:更新|内容|新闻|资讯)|无更新|无|待更新|待补充|敬请期待"
    r"|coming soon|tbd|todo|n/?a|none|nothing (?:new )?(?:today|yet)"
    r"|no (?:news|updates?|items?|stories)(?: today| yet| this week)?|placeholder|\.\.\.|…"
    r")[\s\-–—:：.。…!！()（）\[\]【】*_~]*",
    re.IGNORECASE,
)


# An edition that says it has nothing: 今日无更新, 暂无数据, Coming Soon, No news today.
PLACEHOLDER_SEARCH_RE = re.compile(
    r"今[日天]无(?:更新|内容|新闻|资讯)|暂无(?:数据|内容|更新|资讯|新闻)|无更新|待更新|敬请期待"
    r"|coming soon|no (?:news|updates?|stories) (?:today|yet|this week)|nothing (?:new )?today",
    re.IGNORECASE,
)


_PLACEHOLDER_SEARCH_IN_TAG_RE = re.compile(
    r"[\[【]\s*(?:coming soon|tbd|todo|placeholder|暂无|待更新|敬请期待)\s*[\]】]", re.IGNORECASE
)


@dataclasses.dataclass(slots=True)
class Lead:
    """How a block starts: its title, the title's link, and the text after it."""

    title: str
    url: str | None
    rest: str  # raw markdown after the title
    kind: str  # "link" ([T](url) first), "bold" (**T** first), "plain"


def strip_enum(text: str) -> str:
    """``text`` without a leading enumeration (``1.``, ``一、``, ``(3)``, ``【2】``)."""
    m = ENUM_RE.match(text)
    if m is None or m.end() >= len(text):
        return text
    return text[m.end() :]


def has_enum(text: str) -> bool:
    m = ENUM_RE.match(text)
    return m is not None and m.end() < len(text)


def _strip_decor(s: str) -> str:
    """Drop a leading image, HTML tag or tag in brackets (``[video]``); a tag that says
    "nothing here" (``[Coming Soon]``) stays, to be recognised as a placeholder."""
    m = _DECOR_RE.match(s)
    if m is not None and not _PLACEHOLDER_SEARCH_IN_TAG_RE.search(m.group()):
        s = s[m.end() :]
    return s.lstrip()


def lead(raw: str) -> Lead:
    """The title, link and rest of a block's first line (``raw`` is markdown)."""
    undecorated = strip_enum(raw.strip())
    s = _strip_decor(undecorated)
    first, _, more = s.partition("\n")
    for candidate in (first, _symbol_stripped(first)):
        found = _linked_or_bold(candidate)
        if found is not None:
            title, url, rest, kind = found
            rest = strip_lead(rest)
            return Lead(title, url, rest + ("\n" + more if more else ""), kind)
    first = undecorated.partition("\n")[0]  # a plain title keeps its `【视频】` tag
    text = strip_enum(clean_inline(first, BUTTONS))
    tail = _TRAILING_URL_RE.search(first)
    if tail is not None and not first[: tail.start()].endswith("]("):
        # `标题 - 来源 <url> ★`: the title is the text before the source
        text = drop_source(strip_enum(clean_inline(first[: tail.start()], BUTTONS)))
    # A one-sentence line with more lines under it is a title line; else its first sentence.
    sentence = first_sentence(text)
    whole = more.strip() and len(text) <= LINE_TITLE_MAX and len(sentence) >= len(text) - 1
    title = text if whole else sentence
    after = text[len(title) :].strip() if text.startswith(title) else ""
    return Lead(title, first_url(first), after + ("\n" + more if more else ""), "plain")


# A line that ends with its link: `Title - Source <https://...>`, `Title https://... ★`
_TRAILING_URL_RE = re.compile(
    r"(?:^|(?<=[\s（(]))<?https?://[^\s<>]+>?[ \t]*[★☆]*[ \t]*$", re.IGNORECASE
)
_SOURCE_SEP_RE = re.compile(r"\s+[-—–|｜]\s+")


def ends_with_url(line: str) -> bool:
    """A line that ends with a bare URL or ``<url>`` (not a markdown link's target)."""
    m = _TRAILING_URL_RE.search(line)
    return m is not None and not line[: m.start()].endswith("](")


def drop_source(text: str) -> str:
    """``Title - Source`` → ``Title`` (the last separated part names the publisher)."""
    m = None
    for m in _SOURCE_SEP_RE.finditer(text):  # noqa: B007 (the last one)
        pass
    if m is None or m.start() == 0 or weight(text[m.end() :]) > SOURCE_NAME_MAX:
        return text
    return text[: m.start()].rstrip()


def _symbol_stripped(s: str) -> str:
    m = _SYMBOL_LEAD_RE.match(s)
    return _strip_decor(s[m.end() :]) if m is not None and m.end() < len(s) else s


def _linked_or_bold(s: str) -> tuple[str, str | None, str, str] | None:
    links = scan_links(s)
    if links and links[0].start == 0 and not links[0].image:
        link = links[0]
        title = clean_inline(link.text)
        if title and title.casefold() not in BUTTONS:
            return title, link.url or None, s[link.end :], "link"
    m = _BOLD_LEAD_RE.match(s)
    if m is not None:
        inner = m.group(2).strip()
        inner_links = scan_links(inner)
        if inner_links and inner_links[0].start == 0 and inner_links[0].end == len(inner):
            link = inner_links[0]  # **[Title](url)**
            if not link.image:
                return clean_inline(link.text), link.url or None, s[m.end() :], "link"
        title = strip_enum(clean_inline(inner).rstrip(":：").strip())
        after = s[m.end() :]
        sentence = inner.rstrip().endswith((".", "。", "!", "！", "?", "？")) and after[:1] == " "
        if title and (inner.endswith((":", "：")) or sentence or _TITLE_END_RE.match(after)):
            url = first_url(inner)
            return title, url, s[m.end() :], "bold"
    return None


def _relative(href: str) -> bool:
    """A link to a page of the publisher's site (``/news/2025-08-21/x``), resolved against
    the digest's own address when it has one."""
    return bool(href) and href[0] in "/." and not href.startswith("//")


def is_web_url(url: str | None) -> bool:
    """An absolute http(s) link (a relative one navigates the publisher's own site)."""
    return url is not None and url[:8].lower().startswith(("http://", "https://"))


def plain(raw: str) -> str:
    """Plain text of inline markdown, on one line, button links dropped."""
    return clean_inline(raw, BUTTONS)


def story_urls(raw: str) -> list[str]:
    """The absolute, non-image links of ``raw`` in order, duplicates removed."""
    return list(dict.fromkeys(urls_in(raw)))


def link_line_url(raw: str) -> str | None:
    """The URL of a line that is essentially a link: ``**原文链接**: url``, ``[原文](url)``,
    ``Source: <url>``, a bare URL, ``🔗 [Read more](url)``; else ``None``."""
    s = raw.strip()
    if not s or "\n" in s:
        return None
    urls = urls_in(s)
    if not urls:
        urls = [link.url for link in scan_links(s) if not link.image and _relative(link.url)]
    if len(urls) != 1:
        return None
    label = own_text(s)
    if weight(label) > LINK_LABEL_MAX:
        return None
    if any(navigation(plain(link.text)) for link in scan_links(s)):
        return None  # `[Share](url)`, `[Subscribe](url)`: not the story's link
    sourced = any(word in label.casefold() for word in _SOURCE_WORDS)
    for link in scan_links(s):
        text = plain(link.text)
        long = weight(text) > LINK_LABEL_MAX and text.casefold() not in BUTTONS
        if long and not sourced and not _URLISH_RE.fullmatch(text):
            return None  # a linked title, not a link line (unless labelled `Read more:`)
    return urls[0]


def labelled_url(raw: str) -> str | None:
    """The first link of a line led by a source label (``**Read more:** [A](u) and [B](v)``,
    ``来源：[A](u) | [B](v)``)."""
    m = _SOURCE_LABEL_RE.match(raw)
    if m is None:
        return None
    urls = urls_in(raw[m.end() :])
    return urls[0] if urls else None


def link_line_label(raw: str) -> str:
    """The label of a link line (``原文链接``, ``Source``, ``Discussion``), lowercased."""
    return own_text(raw).casefold()


def source_rank(raw: str) -> int:
    """How surely a link line gives the story's own link: 0 source, 1 other, 2 discussion."""
    label = link_line_label(raw)
    if any(word in label for word in _DISCUSSION_WORDS):
        return 2
    return 0 if not label or any(word in label for word in _SOURCE_WORDS) else 1


def own_text(raw: str) -> str:
    """Plain text of ``raw`` without its links' text and bare URLs (what it says itself)."""
    pieces: list[str] = []
    pos = 0
    for link in scan_links(raw):
        pieces.append(raw[pos : link.start])
        pos = link.end
    pieces.append(raw[pos:])
    rest = " ".join(pieces)
    if "://" in rest:
        rest = BARE_URL_RE.sub(" ", rest)
    return plain(rest).strip(_LINK_SEP + "()（）[]<>")


def is_placeholder_text(text: str) -> bool:
    """True for ``暂无数据``, ``今日无更新``, ``Coming Soon``, ``TBD``, ``-``, ``…``."""
    return bool(_PLACEHOLDER_RE.fullmatch(text)) or not text.strip(" \t-–—_.。…*")


def is_placeholder_lead(title: str) -> bool:
    """A title that only says "nothing here yet": ``[Coming Soon] …``, ``暂无``, ``TBD``."""
    t = title.strip()
    if is_placeholder_text(t):
        return True
    m = re.match(r"[\[【(（]([^\]】)）]{1,20})[\]】)）]", t)
    return m is not None and is_placeholder_text(m.group(1))
