"""The SQL of the subscription store, shared by both backends (``?`` placeholders; the
PostgreSQL side turns them into ``%s``). Booleans are passed as Python bools."""

from __future__ import annotations

from notifier.subscriptions._rows import CHANGE_COLUMNS, CHAT_COLUMNS, SUBSCRIPTION_COLUMNS

CHAT = f"SELECT {CHAT_COLUMNS} FROM chats WHERE chat_id = ?"
CHATS = f"SELECT {CHAT_COLUMNS} FROM chats"
CHAT_EXISTS = "SELECT 1 FROM chats WHERE chat_id = ?"
#: A chat saved again keeps its first ``created_at`` unless the new one is set.
SAVE_CHAT = (
    f"INSERT INTO chats ({CHAT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (chat_id) DO UPDATE SET kind = excluded.kind, lang = excluded.lang, "
    "timezone = excluded.timezone, mode = excluded.mode, digest_at = excluded.digest_at, "
    "quiet = excluded.quiet, active = excluded.active, paused = excluded.paused, "
    "title = excluded.title, created_at = CASE WHEN excluded.created_at > 0 "
    "THEN excluded.created_at ELSE chats.created_at END"
)
CLEAR_INACTIVE = (
    "UPDATE chats SET inactive_reason = NULL, inactive_at = NULL WHERE chat_id = ? AND active"
)
#: A chat active again: a target the dispatcher marked gone is active again too.
REVIVE_TARGET = (
    "UPDATE targets SET status = 'active', detail = NULL WHERE name = ? AND status = 'gone'"
)
#: The chat's next subscription number (no row: no such chat). Numbers are never reused
#: in a chat; the row lock orders concurrent adds (PostgreSQL), as BEGIN IMMEDIATE does.
NEXT_NUMBER = (
    "UPDATE chats SET last_number = last_number + 1 WHERE chat_id = ? RETURNING last_number"
)
ADD = (
    "INSERT INTO subscriptions (chat_id, number, expr, owner, paused, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"
)
SUBSCRIPTIONS = f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions"
LIVE = (
    f"SELECT {', '.join('s.' + c.strip() for c in SUBSCRIPTION_COLUMNS.split(','))} "
    "FROM subscriptions s JOIN chats c ON c.chat_id = s.chat_id "
    "WHERE NOT s.paused AND c.active AND NOT c.paused"
)
COUNT = (
    "SELECT (SELECT COUNT(*) FROM chats), (SELECT COUNT(*) FROM chats WHERE active), "
    "(SELECT COUNT(*) FROM subscriptions)"
)
PAUSE_ONE = "UPDATE subscriptions SET paused = ? WHERE id = ? AND chat_id = ? AND paused <> ?"
PAUSE_CHAT = "UPDATE chats SET paused = ? WHERE chat_id = ? AND paused <> ?"
RESUME_ALL = "UPDATE subscriptions SET paused = ? WHERE chat_id = ? AND paused"
COUNT_OF_CHAT = "SELECT COUNT(*) FROM subscriptions WHERE chat_id = ?"
COUNT_UNPAUSED = "SELECT COUNT(*) FROM subscriptions WHERE chat_id = ? AND NOT paused"
REMOVE_ONE = "DELETE FROM subscriptions WHERE chat_id = ? AND id = ?"
REMOVE_ALL = "DELETE FROM subscriptions WHERE chat_id = ?"
DEACTIVATE = "UPDATE chats SET active = ?, inactive_reason = ?, inactive_at = ? WHERE chat_id = ?"
DROP_QUEUED = (
    "UPDATE deliveries SET state = 'dropped', last_error = ? WHERE target = ? AND state = 'queued'"
)
#: Migration: a copy of the old chat under the new id (a supergroup now).
COPY_CHAT = (
    f"INSERT INTO chats ({CHAT_COLUMNS}, last_number) SELECT ?, 'supergroup', lang, timezone, "
    "mode, digest_at, quiet, active, paused, title, created_at, last_number "
    "FROM chats WHERE chat_id = ?"
)
#: Into a copy of the chat: the subscriptions keep their numbers.
MOVE_SUBSCRIPTIONS = "UPDATE subscriptions SET chat_id = ? WHERE chat_id = ?"
#: Into a chat that has subscriptions of its own: each moved one takes a new number.
IDS_OF_CHAT = "SELECT id FROM subscriptions WHERE chat_id = ? ORDER BY id"
MOVE_ONE = "UPDATE subscriptions SET chat_id = ?, number = ? WHERE id = ?"
DELETE_CHAT = "DELETE FROM chats WHERE chat_id = ?"
#: Queued deliveries follow the chat, unless the new target has that story already.
MOVE_QUEUED = (
    "UPDATE deliveries SET target = ? WHERE target = ? AND state = 'queued' AND NOT EXISTS "
    "(SELECT 1 FROM deliveries d2 WHERE d2.story_id = deliveries.story_id AND d2.target = ?)"
)
LOG = "INSERT INTO subscription_changes (op, chat_id, subscription_id, at) VALUES (?, ?, ?, ?)"
CHANGES = f"SELECT {CHANGE_COLUMNS} FROM subscription_changes WHERE seq > ? ORDER BY seq LIMIT ?"
LAST_CHANGE = "SELECT COALESCE(MAX(seq), 0) FROM subscription_changes"
PRUNE_CHANGES = (
    "DELETE FROM subscription_changes WHERE at < ? "
    "AND seq < (SELECT MAX(seq) FROM subscription_changes)"
)


def subscriptions_sql(chat_id: int | None, live_only: bool) -> tuple[str, tuple[int, ...]]:
    """The query of ``SubscriptionStore.subscriptions`` and its parameters."""
    if live_only:
        if chat_id is None:
            return f"{LIVE} ORDER BY s.id", ()
        return f"{LIVE} AND s.chat_id = ? ORDER BY s.id", (chat_id,)
    if chat_id is None:
        return f"{SUBSCRIPTIONS} ORDER BY id", ()
    return f"{SUBSCRIPTIONS} WHERE chat_id = ? ORDER BY id", (chat_id,)
