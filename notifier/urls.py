"""Canonical URLs: the same story linked two ways gets the same item id."""

from __future__ import annotations

import html
from urllib.parse import unquote, urlsplit, urlunsplit

# Query keys that only track how the reader arrived (compared case-insensitively).
_TRACKING_KEYS = frozenset(
    {
        "spm",
        "from",
        "ref",
        "ref_src",
        "ref_url",
        "xtrack",
        "scene",
        "chksm",
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "_ga",
        "_gl",
        "vero_id",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_cid",
        "cmpid",
        "ncid",
        "ocid",
        "wt.mc_id",
        "sr_share",
        "tt_from",
        "tt_medium",
    }
)
_TRACKING_PREFIXES = ("utm_", "share_", "mc_", "pk_", "hmsr")
# Keys that track only with a feed-ish value: `f=rss`, `source=rss`.
_FEED_VALUE_KEYS = frozenset({"f", "source", "src"})
_FEED_VALUES = frozenset({"rss", "atom", "feed", "rss2", "feedly"})
# Per-host extras: WeChat keeps __biz/mid/idx/sn (they identify the article).
_HOST_KEYS = {
    "mp.weixin.qq.com": frozenset(
        {
            "sessionid",
            "clicktime",
            "enterid",
            "subscene",
            "ascene",
            "devicetype",
            "version",
            "lang",
            "nettype",
            "pass_ticket",
            "wx_header",
            "exportkey",
            "key",
            "uin",
            "abtest_cookie",
            "poc_token",
            "realreporttime",
            "countrycode",
            "exptype",
            "fasttmpl_type",
            "fasttmpl_flag",
            "fasttmpl_fullversion",
            "rd2werd",
            "sharer_shareinfo",
            "sharer_shareinfo_first",
            "sharer_shareid",
            "sharer_sharetime",
            "mpshare",
            "srcid",
            "sharer_username",
        }
    ),
    "x.com": frozenset({"s", "t"}),
    "twitter.com": frozenset({"s", "t"}),
    "www.youtube.com": frozenset({"si", "pp", "feature"}),
    "youtu.be": frozenset({"si"}),
}
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _is_tracking(key: str, value: str, host: str) -> bool:
    k = unquote(key).lower()
    if k in _TRACKING_KEYS or k.startswith(_TRACKING_PREFIXES):
        return True
    if k in _FEED_VALUE_KEYS and unquote(value).lower() in _FEED_VALUES:
        return True
    extra = _HOST_KEYS.get(host)
    return extra is not None and k in extra


def canonical_url(url: str | None) -> str | None:
    """Return the canonical form of an http(s) URL, or ``None`` if it is not one.

    HTML entities decoded; scheme and host lowercased; default port, fragment, trailing
    ``?`` and tracking parameters removed; the remaining parameters sorted (their raw
    encoding kept); an empty path becomes ``/``.
    """
    if not url:
        return None
    url = html.unescape(url).strip() if "&" in url else url.strip()
    if url.startswith("//"):
        url = "https:" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and str(port) != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    kept = []
    for piece in parts.query.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        if not _is_tracking(key, value, host):
            kept.append(piece)
    kept.sort()
    return urlunsplit((scheme, netloc, parts.path or "/", "&".join(kept), ""))
