-- Stories, the delivery outbox, targets, sources: the first schema.
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    url TEXT,
    source TEXT NOT NULL,
    item TEXT NOT NULL,              -- Item.to_json()
    simhash INTEGER,
    sources INTEGER NOT NULL DEFAULT 1,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    published REAL
);
CREATE INDEX stories_first_seen ON stories (first_seen);

-- Every key a story is known by (item ids, canonical URL): a new item with a known key
-- is the same story.
CREATE TABLE story_keys (
    key TEXT PRIMARY KEY,
    story_id TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE story_sources (
    story_id TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (story_id, source)
) WITHOUT ROWID;

CREATE TABLE digests (
    hash TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    seen_at REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    story_id TEXT NOT NULL,
    target TEXT NOT NULL,
    rules TEXT NOT NULL,             -- JSON list of rule names
    score REAL NOT NULL,
    state TEXT NOT NULL,
    due_at REAL NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    entry TEXT NOT NULL,             -- JSON: the entry as messages show it
    backlog INTEGER NOT NULL DEFAULT 0,
    sent_at REAL,
    last_error TEXT,
    claimed_by TEXT,
    lease_until REAL,
    UNIQUE (story_id, target)
);
CREATE INDEX deliveries_queued ON deliveries (target, due_at) WHERE state = 'queued';
CREATE INDEX deliveries_sending ON deliveries (lease_until) WHERE state = 'sending';
CREATE INDEX deliveries_dead ON deliveries (target) WHERE state = 'dead';
CREATE INDEX deliveries_state ON deliveries (state, id);

CREATE TABLE targets (
    name TEXT PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'active',
    detail TEXT,
    new_address TEXT,
    last_sent_at REAL,
    last_error TEXT,
    last_error_at REAL
) WITHOUT ROWID;

-- Messages sent per target in the last hour or so: hourly caps, shared rate limits.
CREATE TABLE sends (
    target TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX sends_target_at ON sends (target, at);

CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL              -- JSON
) WITHOUT ROWID;
