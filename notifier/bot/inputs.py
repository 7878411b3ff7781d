"""What users type, as the bot reads it: bidi override and isolate controls removed.

U+202A-202E (embeddings, overrides) and U+2066-2069 (isolates) are invisible and reorder
the text around them: ``/sub Open<U+202E>IA`` shows one word and stores another, and
``/tz Asia/<U+2066>Shanghai<U+2069>`` is no time zone. They are removed from every message
before any handler validates, stores or echoes it (:class:`~notifier.bot.guard.Guard` calls
:func:`clean_update`), and from chat titles before they are stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiogram.types import Update

#: The bidi embedding, override and isolate controls.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_DROP = dict.fromkeys(map(ord, BIDI_CONTROLS))


def strip_bidi(text: str) -> str:
    """``text`` without bidi controls (the same object when it has none)."""
    if not any(c in text for c in BIDI_CONTROLS):
        return text
    return text.translate(_DROP)


def clean_update(update: Update) -> Update:
    """The update with bidi controls removed from the message text (and caption) users
    typed; the update itself when there are none."""
    message = update.message
    if message is None:
        return update
    changes: dict[str, str] = {}
    for field in ("text", "caption"):
        value = getattr(message, field)
        if value and (clean := strip_bidi(value)) is not value:
            changes[field] = clean
    if not changes:
        return update
    return update.model_copy(update={"message": message.model_copy(update=changes)})
