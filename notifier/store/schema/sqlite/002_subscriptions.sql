-- Telegram subscriptions: chats, their keyword subscriptions, and a change log that every
-- process follows (notifier.subscriptions.model).
CREATE TABLE chats (
    chat_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'private',
    lang TEXT NOT NULL DEFAULT 'en',
    timezone TEXT NOT NULL DEFAULT 'UTC',
    mode TEXT NOT NULL DEFAULT 'instant',
    digest_at TEXT NOT NULL DEFAULT '09:00',   -- HH:MM times, comma-separated
    quiet TEXT,                                -- HH:MM-HH:MM, or NULL
    active INTEGER NOT NULL DEFAULT 1,
    paused INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    inactive_reason TEXT,
    inactive_at REAL
);

CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL REFERENCES chats (chat_id),
    expr TEXT NOT NULL,
    owner INTEGER,
    paused INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX subscriptions_chat ON subscriptions (chat_id, id);

-- op: add, remove, pause, resume (subscription_id NULL: the whole chat), chat.
CREATE TABLE subscription_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    subscription_id INTEGER,
    at REAL NOT NULL
);
