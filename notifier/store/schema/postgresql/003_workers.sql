-- Shared rate limits and the processes of a cluster (mirrors sqlite/003).

-- One row per message part sent (or about to be) under a limit key: `target:<name>`, or a
-- limit shared beyond one target such as `telegram-bot:<bot id>`. A worker takes a slot in
-- every window of every key of a send in one write transaction (see
-- notifier/delivery/shared_limits.py); rows older than the longest window are pruned.
CREATE TABLE send_slots (
    key TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX send_slots_key_at ON send_slots (key, at);

-- Running notifier processes: each writes a heartbeat every few seconds and removes its row
-- on a clean stop. `notifier status` reads them with the claims they hold.
CREATE TABLE workers (
    id TEXT PRIMARY KEY,             -- host:pid:random, as deliveries.claimed_by
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    role TEXT NOT NULL,
    started_at DOUBLE PRECISION NOT NULL,
    heartbeat_at DOUBLE PRECISION NOT NULL
);
