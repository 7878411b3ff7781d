"""Bytes → text: UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030; binary is refused."""

from __future__ import annotations

import codecs
import re

from notifier.errors import DigestError

# Control characters that never appear in text (tab, LF, CR, FF, VT and ESC excepted).
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_SAMPLE = 65536


def _looks_binary(text: str) -> bool:
    sample = text[:_SAMPLE]
    if not sample:
        return False
    bad = len(_CONTROL_RE.findall(sample))
    return bad * 100 > len(sample)  # more than 1 % control characters


def decode(data: bytes, origin: str) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise :class:`DigestError` for binary or undecodable data."""
    encodings: tuple[str, ...] = ("utf-8", "gb18030")
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif b"\x00" in data[:_SAMPLE]:
        raise DigestError(origin, "binary data, not a text digest")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise DigestError(origin, "binary data, not a text digest")
        return text.removeprefix("\ufeff"), encoding
    raise DigestError(origin, "not UTF-8 or GB18030 text")
