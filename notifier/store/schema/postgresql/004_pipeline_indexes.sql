-- Indexes that keep the pipeline's per-item cost flat as the store grows (mirrors
-- sqlite/004; bench/pipeline.py measures it).

-- claim: best score first, then oldest, among a target's queued deliveries. PostgreSQL has
-- had it since 001; the statement keeps both backends' version 4 the same schema.
CREATE INDEX IF NOT EXISTS deliveries_claim
    ON deliveries (target, score DESC, id) WHERE state = 'queued';
