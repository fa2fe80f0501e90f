-- The queue page at 100,000 cases (issue 3): what it reads on every request
-- must not grow with the number of cases. Same tables as on SQLite.

-- Cases per (kind, status, assignee), kept by triggers in the same
-- transaction as the change. assignee_key 0 = unassigned. Spread over 16
-- shards (id % 16): concurrent intakes take different counter rows instead
-- of queueing on one row lock until commit; readers sum the shards.
CREATE TABLE case_counts (
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_key BIGINT NOT NULL,
    shard INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (kind, status, assignee_key, shard)
);

INSERT INTO case_counts (kind, status, assignee_key, shard, n)
SELECT kind, status, COALESCE(assignee_id, 0), id % 16, COUNT(*) FROM cases GROUP BY 1, 2, 3, 4;

CREATE FUNCTION case_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE case_counts SET n = n - 1
        WHERE kind = OLD.kind AND status = OLD.status AND assignee_key = COALESCE(OLD.assignee_id, 0)
          AND shard = OLD.id % 16;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO case_counts (kind, status, assignee_key, shard, n)
        VALUES (NEW.kind, NEW.status, COALESCE(NEW.assignee_id, 0), NEW.id % 16, 1)
        ON CONFLICT (kind, status, assignee_key, shard) DO UPDATE SET n = case_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER cases_count_insert AFTER INSERT ON cases
    FOR EACH ROW EXECUTE FUNCTION case_counts_track();
CREATE TRIGGER cases_count_update AFTER UPDATE OF kind, status, assignee_id ON cases
    FOR EACH ROW
    WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id)
    EXECUTE FUNCTION case_counts_track();
CREATE TRIGGER cases_count_delete AFTER DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION case_counts_track();

-- Search: a trigram index (pg_trgm, shipped with PostgreSQL) serves the
-- queue's LIKE '%needle%' for needles of three or more characters.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_search_trgm_idx ON cases USING gin (search_text gin_trgm_ops);

-- The default view (open work, every kind) in queue order, with the columns
-- its filters test, so a page can be read from the index alone.
CREATE INDEX cases_queue_cover_idx ON cases (priority, due_date, created_at, id, status, kind, assignee_id);
DROP INDEX cases_status_queue_idx;
CREATE INDEX cases_status_queue_idx ON cases (status, priority, due_date, created_at, id, kind, assignee_id);
DROP INDEX cases_queue_idx;
