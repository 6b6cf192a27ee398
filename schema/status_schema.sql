-- task-ledger schema, version 4.
-- This file is the single source of the schema: the binary embeds it and applies it to a new
-- ledger through a GRDB DatabaseMigrator, then sets PRAGMA user_version = 4. An older ledger is
-- migrated by adding what it lacks: task_state_snapshot.partial (v2), the window indexes and
-- task_events.id_key with its index in place of the unique index on event_id (v3),
-- ledger_archives and the rejects' task index (v4); see Schema.swift.
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
    id_key       INTEGER                       -- 64-bit FNV-1a of event_id, NULL without one (v3)
);
-- history(task) in arrival order
CREATE INDEX task_events_by_task ON task_events(task, seq);
-- dedupe: ids are global. By their 64-bit hash, the full id compared on a hit (v3): an index
-- of integers is a third the size of one of UUID texts, so more of it stays in the page cache.
CREATE INDEX task_events_by_id_key ON task_events(id_key) WHERE id_key IS NOT NULL;
-- dedupe of id-less events by content hash (the full values are compared on a hit)
CREATE INDEX task_events_by_content_key ON task_events(content_key) WHERE event_id IS NULL;
-- report --since/--until reads the window's rows, not the whole history (v3). Events arrive
-- roughly in ts order, so inserts land at the index's right edge.
CREATE INDEX task_events_by_ts ON task_events(ts);

-- Current state per task. A row exists once the task has an applied event.
CREATE TABLE task_state_snapshot (
    task         TEXT    PRIMARY KEY NOT NULL,
    state        TEXT    NOT NULL,
    stage        TEXT    NOT NULL DEFAULT '',
    actor        TEXT    NOT NULL DEFAULT '',
    source       TEXT    NOT NULL DEFAULT '',
    first_ts     INTEGER NOT NULL,             -- earliest applied ts
    last_ts      INTEGER NOT NULL,             -- latest applied ts
    terminal_ts  INTEGER,                      -- ts of the terminal event, NULL while open
    partial      INTEGER NOT NULL DEFAULT 0    -- 1: first seen mid-lifecycle (rules `partial: accept`); v2
) WITHOUT ROWID;
-- stale scan: open tasks by last_ts
CREATE INDEX task_state_snapshot_open ON task_state_snapshot(last_ts) WHERE terminal_ts IS NULL;
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
