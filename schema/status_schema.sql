-- task-ledger schema, version 8.
-- This file is the single source of the schema: the binary embeds it and applies it to a new
-- ledger through a GRDB DatabaseMigrator, then sets PRAGMA user_version = 8. An older ledger is
-- migrated by adding what it lacks: task_state_snapshot.partial (v2), the window indexes and
-- task_events.id_key with its index in place of the unique index on event_id (v3),
-- ledger_archives and the rejects' task index (v4), task_keys and task_events.task_key with
-- its index in place of the index on (task, seq), task_state_snapshot keyed by task_key
-- instead of task, and event_ids with event_ids_tail in place of the id_key index (v5), and
-- event_ids_mid between them, no trigger filling event_ids_tail (its writers do, in key order)
-- task_keys found by the hash of the task instead of a unique index on it, and the stored
-- dedupe filter (v6), and the content keys of rows without an id in the id tables instead of
-- the partial index task_events_by_content_key (v7), and task hashes in task_hashes and
-- task_hashes_tail instead of the index task_keys_by_hash (v8); see Schema.swift.
-- Timestamps are integer epoch milliseconds (UTC).

-- Append-only history: every accepted line (applied or flagged), in arrival order (seq).
CREATE TABLE task_events (
    seq          INTEGER PRIMARY KEY,          -- arrival order, never reused
    task         TEXT    NOT NULL,
    state        TEXT    NOT NULL,             -- canonical state, or the raw string for unknown_state
    verdict      TEXT    NOT NULL,             -- applied | out_of_order | unknown_state | after_terminal | illegal_transition
    from_state   TEXT,                         -- the task's snapshot state before this event (NULL if none)
    ts           INTEGER NOT NULL,             -- epoch ms
    event_id     TEXT,                         -- the line's id/event_id, if any
    content_key  INTEGER NOT NULL,             -- 64-bit FNV-1a of task,state,ts,actor,source,stage,detail
    actor        TEXT    NOT NULL DEFAULT '',
    source       TEXT    NOT NULL DEFAULT '',
    stage        TEXT    NOT NULL DEFAULT '',
    detail       TEXT    NOT NULL DEFAULT '',
    attrs        TEXT,                         -- other keys of the line, as a JSON object
    file         TEXT    NOT NULL DEFAULT '',  -- as given on the command line; '' for live writes
    line         INTEGER,                      -- 1-based line number in file; NULL for live writes
    id_key       INTEGER,                      -- 64-bit FNV-1a of event_id, NULL without one (v3)
    task_key     INTEGER                       -- task_keys.task_key of task (v5)
);
-- history(task) in arrival order, by the task's key (v5): keys are handed out in first-seen
-- order and the tasks that get events are mostly recent ones, so inserts land near the index's
-- right edge; an index on the task's text takes them all over the index, one page-cache miss
-- each once the ledger is bigger than the cache.
CREATE INDEX task_events_by_task_key ON task_events(task_key, seq);
-- dedupe: ids are global. By their 64-bit hash, the full id compared on a hit (v3), in
-- tables instead of an index on id_key (v5). Since v7 the tables hold every row's dedupe key:
-- id_key for a row with an id, content_key for one without (whose full values are compared on
-- a hit, as the id is; v6 had a partial index on content_key, one random insert per id-less
-- event). Every row has its (coalesce(id_key, content_key), seq) in
-- event_ids_tail, put there by whoever stores the row (v6; the write path puts a
-- transaction's pairs there in key order when it flushes — version 5 had a trigger insert each
-- row's, one random insert per event). The tail is moved into event_ids_mid in key order once
-- it holds Schema.tailLimit keys, and event_ids_mid into event_ids once it holds
-- Schema.midTails tails (v6; v5 merged every tail into event_ids). A tool that writes
-- task_events itself must add the pairs. A random insert into a hash index bigger than the
-- page cache costs a page read and a page write; the tail stays small enough to be cached, and
-- a merge in key order writes each page of the table merged into once.
CREATE TABLE event_ids (
    id_key       INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (id_key, seq)
) WITHOUT ROWID;
CREATE TABLE event_ids_mid (
    id_key       INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (id_key, seq)
) WITHOUT ROWID;
CREATE TABLE event_ids_tail (
    id_key       INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (id_key, seq)
) WITHOUT ROWID;
CREATE TRIGGER task_events_id_removed AFTER DELETE ON task_events BEGIN
    DELETE FROM event_ids_tail WHERE id_key = coalesce(OLD.id_key, OLD.content_key) AND seq = OLD.seq;
    DELETE FROM event_ids_mid WHERE id_key = coalesce(OLD.id_key, OLD.content_key) AND seq = OLD.seq;
    DELETE FROM event_ids WHERE id_key = coalesce(OLD.id_key, OLD.content_key) AND seq = OLD.seq;
END;
-- The Bloom filter of dedupe keys the last import ended with (v6; one row, bits as the binary
-- lays them out), so that the next import loads it and adds the keys of rows after covers_seq
-- instead of reading every stored key. A tool that deletes task_events rows must delete this
-- row (a new row may reuse a deleted seq); verify checks that it holds every covered row's key.
-- The words are a row of their own: an UPDATE of covers_seq would otherwise rewrite them.
CREATE TABLE dedupe_filter (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    bits         INTEGER NOT NULL,
    covers_seq   INTEGER NOT NULL
);
CREATE TABLE dedupe_filter_words (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    words        BLOB    NOT NULL
);
-- report --since/--until reads the window's rows, not the whole history (v3). Events arrive
-- roughly in ts order, so inserts land at the index's right edge.
CREATE INDEX task_events_by_ts ON task_events(ts);

-- Every task with a row in task_events or task_state_snapshot, numbered in the order it was
-- first seen (v5). A tool that writes those tables itself must give each row its task's key
-- (adding the task here first).
-- A task is found by the 64-bit FNV-1a hash of its text (v6; SQL function
-- task_ledger_task_hash on the binary's connections), its text compared on a hit. Each task has
-- one row: the writers look before they add.
CREATE TABLE task_keys (
    task_key     INTEGER PRIMARY KEY,
    task         TEXT    NOT NULL,
    task_hash    INTEGER NOT NULL              -- FNV-1a of task (v6)
);
-- The (hash, key) pair of every task_keys row, in one of two tables (v8): a new task's goes into
-- the tail (by the trigger below), and the tail is moved into task_hashes in hash order once it
-- holds Schema.taskTailLimit pairs. Each new task is an insert at a random place in the small
-- tail, not in an index of every task the ledger ever had (v6 to v7: every import transaction
-- wrote each page of that index again, 17k of night 8's 78k page writes in bench/nightly).
CREATE TABLE task_hashes (
    task_hash    INTEGER NOT NULL,
    task_key     INTEGER NOT NULL,
    PRIMARY KEY (task_hash, task_key)
) WITHOUT ROWID;
CREATE TABLE task_hashes_tail (
    task_hash    INTEGER NOT NULL,
    task_key     INTEGER NOT NULL,
    PRIMARY KEY (task_hash, task_key)
) WITHOUT ROWID;
CREATE TRIGGER task_keys_hash_added AFTER INSERT ON task_keys BEGIN
    INSERT INTO task_hashes_tail (task_hash, task_key) VALUES (NEW.task_hash, NEW.task_key);
END;
CREATE TRIGGER task_keys_hash_removed AFTER DELETE ON task_keys BEGIN
    DELETE FROM task_hashes_tail WHERE task_hash = OLD.task_hash AND task_key = OLD.task_key;
    DELETE FROM task_hashes WHERE task_hash = OLD.task_hash AND task_key = OLD.task_key;
END;

-- Current state per task. A row exists once the task has an applied event. Keyed by the task's
-- key (v5; by task before): the snapshots an import changes are those of recent tasks, whose
-- keys are the latest, so its writes stay on the table's last pages. A task's row is found
-- through task_keys.
CREATE TABLE task_state_snapshot (
    task_key     INTEGER PRIMARY KEY,          -- task_keys.task_key of task (v5)
    task         TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    stage        TEXT    NOT NULL DEFAULT '',
    actor        TEXT    NOT NULL DEFAULT '',
    source       TEXT    NOT NULL DEFAULT '',
    first_ts     INTEGER NOT NULL,             -- earliest applied ts
    last_ts      INTEGER NOT NULL,             -- latest applied ts
    terminal_ts  INTEGER,                      -- ts of the terminal event, NULL while open
    partial      INTEGER NOT NULL DEFAULT 0    -- 1: first seen mid-lifecycle (rules `partial: accept`); v2
);
-- stale scan: open tasks by last_ts, covering every column stale reads (v5), so that it reads
-- only the open tasks' entries and not one table page each
CREATE INDEX task_state_snapshot_open ON task_state_snapshot(last_ts, task, state, stage, actor, source, first_ts, partial, terminal_ts)
    WHERE terminal_ts IS NULL;
-- outcomes of a report window: tasks that reached their terminal state in it (v3)
CREATE INDEX task_state_snapshot_terminal ON task_state_snapshot(terminal_ts) WHERE terminal_ts IS NOT NULL;

-- Notifications sent, for dedupe (same channel + key) and cooldown (same task + channel).
CREATE TABLE delivery_log (
    id           INTEGER PRIMARY KEY,
    task         TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    delivered_at INTEGER NOT NULL              -- epoch ms
);
CREATE UNIQUE INDEX delivery_log_by_key ON delivery_log(channel, key);
CREATE INDEX delivery_log_by_task ON delivery_log(task, channel, delivered_at);

-- Lines that were not appended to task_events: parse failures and duplicates.
CREATE TABLE import_rejects (
    id           INTEGER PRIMARY KEY,
    file         TEXT    NOT NULL,             -- '' for live writes
    line         INTEGER,                      -- NULL for live writes
    kind         TEXT    NOT NULL,             -- malformed | missing_field | bad_field | bad_timestamp | duplicate
    task         TEXT,
    from_state   TEXT,
    to_state     TEXT,
    ts           INTEGER,
    event_id     TEXT,
    message      TEXT    NOT NULL,
    raw          TEXT    NOT NULL              -- the line as read (invalid UTF-8 replaced)
);
CREATE INDEX import_rejects_by_file ON import_rejects(file, line);
-- rejects of a report window (v3)
CREATE INDEX import_rejects_by_ts ON import_rejects(ts) WHERE ts IS NOT NULL;
-- rejects of the tasks `archive` moves (v4)
CREATE INDEX import_rejects_by_task ON import_rejects(task) WHERE task IS NOT NULL;

-- Per-file checkpoints: what has been consumed, committed with the events it produced.
CREATE TABLE import_files (
    path         TEXT    PRIMARY KEY NOT NULL, -- as given on the command line
    head_hash    INTEGER NOT NULL,             -- FNV-1a of the first head_length decompressed bytes
    head_length  INTEGER NOT NULL,
    offset       INTEGER NOT NULL,             -- decompressed bytes consumed (complete lines only)
    lines        INTEGER NOT NULL,             -- physical lines consumed
    compressed   INTEGER NOT NULL,             -- 1 if the file is gzip
    updated_at   INTEGER NOT NULL              -- epoch ms of the last checkpoint
) WITHOUT ROWID;

-- Archives this ledger's finished tasks were moved into (`task-ledger archive`), one row per
-- archive, counting what it received (v4).
CREATE TABLE ledger_archives (
    path         TEXT    PRIMARY KEY NOT NULL, -- the archive ledger, as given to --to
    before_ts    INTEGER NOT NULL,             -- the latest --before: tasks terminal before it were moved
    tasks        INTEGER NOT NULL,
    events       INTEGER NOT NULL,
    first_at     INTEGER NOT NULL,             -- epoch ms of the first batch moved
    updated_at   INTEGER NOT NULL              -- epoch ms of the last batch moved
) WITHOUT ROWID;
