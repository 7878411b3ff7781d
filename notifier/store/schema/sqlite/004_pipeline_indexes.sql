-- Indexes that keep the pipeline's per-item cost flat as the store grows (bench/pipeline.py).

-- claim: best score first, then oldest, among a target's queued deliveries (as
-- postgresql/001 has it), so that taking 1,000 from a long queue reads 1,000 index
-- entries instead of sorting the whole queue each time.
CREATE INDEX deliveries_claim ON deliveries (target, score DESC, id) WHERE state = 'queued';
