-- The queue page at 100,000 cases (issue 3): what it reads on every request
-- must not grow with the number of cases.

-- Cases per (kind, status, assignee), kept by triggers in the same
-- transaction as the change, so the queue's counts per status and kind (and
-- its total, hence its page count) are one small read instead of a scan.
-- assignee_key 0 = unassigned. Counts are spread over 16 shards (id % 16) so
-- concurrent intakes on PostgreSQL do not queue on one counter row; readers
-- sum the shards. The schema is the same on both backends.
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

CREATE TRIGGER cases_count_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO case_counts (kind, status, assignee_key, shard, n)
    VALUES (NEW.kind, NEW.status, COALESCE(NEW.assignee_id, 0), NEW.id % 16, 1)
    ON CONFLICT (kind, status, assignee_key, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cases_count_update AFTER UPDATE OF kind, status, assignee_id ON cases
WHEN OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status OR OLD.assignee_id IS NOT NEW.assignee_id
BEGIN
    UPDATE case_counts SET n = n - 1
    WHERE kind = OLD.kind AND status = OLD.status AND assignee_key = COALESCE(OLD.assignee_id, 0)
      AND shard = OLD.id % 16;
    INSERT INTO case_counts (kind, status, assignee_key, shard, n)
    VALUES (NEW.kind, NEW.status, COALESCE(NEW.assignee_id, 0), NEW.id % 16, 1)
    ON CONFLICT (kind, status, assignee_key, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cases_count_delete AFTER DELETE ON cases
BEGIN
    UPDATE case_counts SET n = n - 1
    WHERE kind = OLD.kind AND status = OLD.status AND assignee_key = COALESCE(OLD.assignee_id, 0)
      AND shard = OLD.id % 16;
END;

-- Search: a trigram full-text index over cases.search_text (external
-- content: the text is stored once, in cases). A needle of three or more
-- characters is found through it instead of a LIKE over every row.
CREATE VIRTUAL TABLE cases_search USING fts5(
    search_text, content = 'cases', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO cases_search (rowid, search_text) SELECT id, search_text FROM cases WHERE search_text <> '';

CREATE TRIGGER cases_search_insert AFTER INSERT ON cases WHEN NEW.search_text <> ''
BEGIN
    INSERT INTO cases_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;

CREATE TRIGGER cases_search_update AFTER UPDATE OF search_text ON cases
WHEN OLD.search_text IS NOT NEW.search_text
BEGIN
    INSERT INTO cases_search (cases_search, rowid, search_text)
    SELECT 'delete', OLD.id, OLD.search_text WHERE OLD.search_text <> '';
    INSERT INTO cases_search (rowid, search_text)
    SELECT NEW.id, NEW.search_text WHERE NEW.search_text <> '';
END;

CREATE TRIGGER cases_search_delete AFTER DELETE ON cases WHEN OLD.search_text <> ''
BEGIN
    INSERT INTO cases_search (cases_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text);
END;

-- The default view (open work, every kind) in queue order, with the columns
-- its filters test, so a page is read from this index alone, walking it in
-- order: no sort of every open case, and an OFFSET skips index entries
-- without visiting the table.
CREATE INDEX cases_queue_cover_idx ON cases (priority, due_date, created_at, id, status, kind, assignee_id);
-- The same per status (the status filter), replacing the narrower one.
DROP INDEX cases_status_queue_idx;
CREATE INDEX cases_status_queue_idx ON cases (status, priority, due_date, created_at, id, kind, assignee_id);
DROP INDEX cases_queue_idx;
