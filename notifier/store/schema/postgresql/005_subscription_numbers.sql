-- Subscription numbers per chat: #1, #2 … as the bot shows them (mirrors sqlite/005). A
-- number is never reused within a chat: the next subscription takes last_number + 1,
-- incremented in the adding transaction (the chat's row lock orders concurrent adds).
ALTER TABLE subscriptions ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN last_number INTEGER NOT NULL DEFAULT 0;

-- Existing subscriptions: 1, 2, 3 … in id order within each chat.
UPDATE subscriptions s SET number = n.number
FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY chat_id ORDER BY id) AS number
    FROM subscriptions
) n
WHERE s.id = n.id;
UPDATE chats c SET last_number = m.number
FROM (SELECT chat_id, MAX(number) AS number FROM subscriptions GROUP BY chat_id) m
WHERE c.chat_id = m.chat_id;
CREATE UNIQUE INDEX subscriptions_number ON subscriptions (chat_id, number);
