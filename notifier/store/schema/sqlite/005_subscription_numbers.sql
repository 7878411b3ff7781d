-- Subscription numbers per chat: #1, #2 … as the bot shows them (the global id stays the
-- engine's rule name, sub:<id>). A number is never reused within a chat: chats.last_number
-- is the highest one handed out, and the next subscription takes last_number + 1.
ALTER TABLE subscriptions ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN last_number INTEGER NOT NULL DEFAULT 0;

-- Existing subscriptions: 1, 2, 3 … in id order within each chat.
UPDATE subscriptions SET number = (
    SELECT COUNT(*) FROM subscriptions s2
    WHERE s2.chat_id = subscriptions.chat_id AND s2.id <= subscriptions.id
);
UPDATE chats SET last_number = (
    SELECT COALESCE(MAX(number), 0) FROM subscriptions s WHERE s.chat_id = chats.chat_id
);
CREATE UNIQUE INDEX subscriptions_number ON subscriptions (chat_id, number);
