import GRDB
import TaskLedgerCore

/// The ledger schema: `schema/status_schema.sql`, embedded at build time, applied through a
/// `DatabaseMigrator`, with `PRAGMA user_version` carrying the version.
package enum Schema {
    /// The `user_version` this build writes and understands.
    package static let version = LedgerSchema.version

    package static var sql: String { String(decoding: PackageResources.status_schema_sql, as: UTF8.self) }

    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // A new ledger gets the whole current schema; an older one is upgraded by `upgrade`.
        migrator.registerMigration("v1") { db in
            try db.execute(sql: sql)
            try db.execute(sql: "PRAGMA user_version = \(version)")
        }
        return migrator
    }

    /// Brings a ledger of an older version (by `user_version`, whoever made it) to ``version``,
    /// in one immediate transaction, so that two processes opening it at once upgrade it once.
    package static func upgrade(_ db: Database) throws {
        try db.inTransaction(.immediate) {
            let found = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            if found < 2, try !db.columns(in: "task_state_snapshot").contains(where: { $0.name == "partial" }) {
                // v2: partial tasks (rules `partial: accept`) are marked in their snapshot.
                try db.execute(sql: "ALTER TABLE task_state_snapshot ADD COLUMN partial INTEGER NOT NULL DEFAULT 0")
            }
            if found < 3 {
                // v3: report windows read their rows through these instead of every row.
                for index in windowIndexes { try db.execute(sql: index) }
                try addIDKeys(db)
            }
            if found < 4 {
                // v4: the record of archives, and the rejects of a task found by task.
                for statement in archiveTables { try db.execute(sql: statement) }
            }
            if found < 5 { try addTaskKeys(db) }
            if found < 6 {
                // v6: the writers put ids into the tail, in key order per transaction; the
                // trigger that put each row's there one at a time goes, and merges go through
                // event_ids_mid (empty at first; the delete trigger learns of it).
                try db.execute(sql: "DROP TRIGGER IF EXISTS task_events_id_added")
                try db.execute(sql: "DROP TRIGGER IF EXISTS task_events_id_removed")
                for statement in eventIDTables { try db.execute(sql: statement) }
                for statement in StoredFilter.tables { try db.execute(sql: statement) }
                // And tasks are found by the hash of their text, not by a unique index on it:
                // the key table is rebuilt (keys kept) with the hash and its index.
                if try !db.columns(in: "task_keys").contains(where: { $0.name == "task_hash" }) {
                    try db.execute(sql: "ALTER TABLE task_keys RENAME TO task_keys_v5")
                    for statement in taskKeysTable { try db.execute(sql: statement) }
                    try db.execute(sql: """
                        INSERT INTO task_keys (task_key, task, task_hash)
                        SELECT task_key, task, task_ledger_task_hash(task) FROM task_keys_v5 ORDER BY task_key
                        """)
                    try db.execute(sql: "DROP TABLE task_keys_v5")
                }
            }
            if found < 7 {
                // v7: rows without an id are found through the id tables by their content key,
                // not through a partial index; their pairs go into event_ids in key order (one
                // pass), the delete trigger removes every row's pair, and the stored filter,
                // which kept content keys mixed with a constant, is forgotten (the next import
                // rebuilds it from the tables).
                try db.execute(sql: """
                    INSERT OR FAIL INTO event_ids (id_key, seq)
                    SELECT content_key, seq FROM task_events WHERE id_key IS NULL ORDER BY content_key, seq
                    """)
                try db.execute(sql: "DROP INDEX IF EXISTS task_events_by_content_key")
                try db.execute(sql: "DROP TRIGGER IF EXISTS task_events_id_removed")
                for statement in eventIDTables { try db.execute(sql: statement) }
                try StoredFilter.forget(db)
            }
            if found < 8 {
                // v8: tasks are found through the (hash, key) pairs of task_hashes and its tail
                // instead of an index on task_keys.task_hash (in hash order: one pass).
                for statement in taskHashTables { try db.execute(sql: statement) }
                try db.execute(sql: """
                    INSERT OR FAIL INTO task_hashes (task_hash, task_key)
                    SELECT task_hash, task_key FROM task_keys ORDER BY task_hash, task_key
                    """)
                try db.execute(sql: "DROP INDEX IF EXISTS task_keys_by_hash")
            }
            if found < version { try db.execute(sql: "PRAGMA user_version = \(version)") }
            return .commit
        }
    }

    /// v3: ids are deduplicated by their 64-bit hash (``DedupeFilter/Key/id(_:)``) in an
    /// integer index, instead of by a unique index on the text. The hash of every stored id is
    /// computed here, by a function that exists only on this connection for this statement.
    private static func addIDKeys(_ db: Database) throws {
        if try !db.columns(in: "task_events").contains(where: { $0.name == "id_key" }) {
            try db.execute(sql: "ALTER TABLE task_events ADD COLUMN id_key INTEGER")
        }
        let idKey = DatabaseFunction("task_ledger_id_key", argumentCount: 1, pure: true) { values in
            String.fromDatabaseValue(values[0]).map { DedupeFilter.Key.id($0).stored }
        }
        db.add(function: idKey)
        defer { db.remove(function: idKey) }
        try db.execute(sql: "UPDATE task_events SET id_key = task_ledger_id_key(event_id) WHERE event_id IS NOT NULL")
        try db.execute(sql: "CREATE INDEX IF NOT EXISTS task_events_by_id_key ON task_events(id_key) WHERE id_key IS NOT NULL")
        try db.execute(sql: "DROP INDEX IF EXISTS task_events_by_event_id")
    }

    /// v5: every task gets an integer key in first-seen order (`task_keys`), and history by task
    /// is indexed by `(task_key, seq)` instead of `(task, seq)`. Keys are given in the order of
    /// each task's first row, as an import of the same lines would give them; every row is
    /// rewritten once (a one-time cost: see the README's upgrade notes).
    private static func addTaskKeys(_ db: Database) throws {
        if try !db.columns(in: "task_events").contains(where: { $0.name == "task_key" }) {
            try db.execute(sql: "ALTER TABLE task_events ADD COLUMN task_key INTEGER")
        }
        // Room for the key table while every row looks its key up (the connection's own cache
        // comes back after).
        let cache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -32768
        try db.execute(sql: "PRAGMA cache_size = -65536")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(cache)") }
        for statement in taskKeysTable { try db.execute(sql: statement) }
        try db.execute(sql: """
            INSERT INTO task_keys (task, task_hash)
            SELECT task, task_ledger_task_hash(task) FROM task_events GROUP BY task ORDER BY min(seq)
            """)
        try db.execute(sql: """
            UPDATE task_events SET task_key = (
                SELECT k.task_key FROM task_keys k
                WHERE k.task_hash = task_ledger_task_hash(task_events.task) AND k.task = task_events.task)
            WHERE task_key IS NULL
            """)
        try db.execute(sql: "CREATE INDEX IF NOT EXISTS task_events_by_task_key ON task_events(task_key, seq)")
        try db.execute(sql: "DROP INDEX IF EXISTS task_events_by_task")
        // The snapshot, keyed by task before, is rebuilt keyed by task_key (a snapshot whose
        // task has no row in task_events, which verify reports, gets a key too).
        if try !db.columns(in: "task_state_snapshot").contains(where: { $0.name == "task_key" }) {
            try db.execute(sql: """
                INSERT INTO task_keys (task, task_hash)
                SELECT task, task_ledger_task_hash(task) FROM task_state_snapshot s
                WHERE NOT EXISTS (SELECT 1 FROM task_keys k WHERE k.task_hash = task_ledger_task_hash(s.task) AND k.task = s.task)
                """)
            try db.execute(sql: "ALTER TABLE task_state_snapshot RENAME TO task_state_snapshot_v4")
            try db.execute(sql: snapshotTable)
            try db.execute(sql: """
                INSERT INTO task_state_snapshot
                    (task_key, task, state, stage, actor, source, first_ts, last_ts, terminal_ts, partial)
                SELECT k.task_key, s.task, s.state, s.stage, s.actor, s.source, s.first_ts, s.last_ts, s.terminal_ts, s.partial
                FROM task_state_snapshot_v4 s JOIN task_keys k ON k.task_hash = task_ledger_task_hash(s.task) AND k.task = s.task
                ORDER BY k.task_key
                """)
            try db.execute(sql: "DROP TABLE task_state_snapshot_v4")
            for index in snapshotIndexes { try db.execute(sql: index) }
        }
        // And ids move from the id_key index to event_ids (in key order: one pass).
        for statement in eventIDTables { try db.execute(sql: statement) }
        try db.execute(sql: """
            INSERT OR IGNORE INTO event_ids (id_key, seq)
            SELECT id_key, seq FROM task_events WHERE id_key IS NOT NULL ORDER BY id_key, seq
            """)
        try db.execute(sql: "DROP INDEX IF EXISTS task_events_by_id_key")
    }

    /// The snapshot table of version 5 and its indexes, as the schema file has them.
    package static let snapshotTable = """
        CREATE TABLE task_state_snapshot (
            task_key INTEGER PRIMARY KEY, task TEXT NOT NULL, state TEXT NOT NULL, stage TEXT NOT NULL DEFAULT '',
            actor TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '', first_ts INTEGER NOT NULL,
            last_ts INTEGER NOT NULL, terminal_ts INTEGER, partial INTEGER NOT NULL DEFAULT 0)
        """
    package static let snapshotIndexes = [
        """
        CREATE INDEX IF NOT EXISTS task_state_snapshot_open
            ON task_state_snapshot(last_ts, task, state, stage, actor, source, first_ts, partial, terminal_ts) WHERE terminal_ts IS NULL
        """,
        "CREATE INDEX IF NOT EXISTS task_state_snapshot_terminal ON task_state_snapshot(terminal_ts) WHERE terminal_ts IS NOT NULL",
    ]

    /// What version 5 added for dedupe, as the schema file has it since version 7: version 6
    /// dropped the trigger that filled the tail (every writer of `task_events` puts the pairs of
    /// the rows it stores there itself — the write path in key order at each flush), version 7
    /// put every row's key there, `id_key` or, without an id, `content_key`.
    package static let eventIDTables = [
        "CREATE TABLE IF NOT EXISTS event_ids (id_key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (id_key, seq)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS event_ids_mid (id_key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (id_key, seq)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS event_ids_tail (id_key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (id_key, seq)) WITHOUT ROWID",
        """
        CREATE TRIGGER IF NOT EXISTS task_events_id_removed AFTER DELETE ON task_events BEGIN
            DELETE FROM event_ids_tail WHERE id_key = coalesce(OLD.id_key, OLD.content_key) AND seq = OLD.seq;
            DELETE FROM event_ids_mid WHERE id_key = coalesce(OLD.id_key, OLD.content_key) AND seq = OLD.seq;
            DELETE FROM event_ids WHERE id_key = coalesce(OLD.id_key, OLD.content_key) AND seq = OLD.seq;
        END
        """,
    ]

    /// Every (key, seq) pair the ledger holds, for a statement to read from (the three tables'
    /// pairs are disjoint): the column is named `id_key`, and holds a row's `content_key` when
    /// it has no id (v7).
    package static let allIDPairs = """
        SELECT id_key, seq FROM event_ids UNION ALL SELECT id_key, seq FROM event_ids_mid
        UNION ALL SELECT id_key, seq FROM event_ids_tail
        """

    /// Keys the tail holds before ``mergeTail(_:limit:)`` moves them into `event_ids_mid`.
    /// Measured on night 8 of bench/nightly (see the README).
    package static let tailLimit = 500_000
    /// `event_ids_mid` is merged into `event_ids` once it holds this many tails' worth.
    package static let midTails = 8

    /// Moves the tail's keys into `event_ids_mid` when it holds `limit` or more, and the mid
    /// table's into `event_ids` when that holds ``midTails`` × `limit` or more, in the caller's
    /// write transaction. In key order, so each page of the table merged into is written once:
    /// a merge costs about the size of the table it goes into. With one table (v5) every tail
    /// rewrote all of `event_ids` — two merges per night of 1M events, each longer than the
    /// last; the mid table takes the tails, and `event_ids` gets one merge per 8 tails.
    package static func mergeTail(_ db: Database, limit: Int = tailLimit) throws {
        // count(*) walks the tail's pages, which the writes just before it touched.
        guard try Int.fetchOne(db, sql: "SELECT count(*) FROM event_ids_tail") ?? 0 >= limit else { return }
        // OR FAIL: an INSERT … SELECT that may abort keeps a statement journal, a copy of every
        // page it changes; a pair already merged is an error anyway and rolls everything back.
        try db.execute(sql: "INSERT OR FAIL INTO event_ids_mid (id_key, seq) SELECT id_key, seq FROM event_ids_tail ORDER BY id_key, seq")
        try db.execute(sql: "DELETE FROM event_ids_tail")
        guard try Int.fetchOne(db, sql: "SELECT count(*) FROM event_ids_mid") ?? 0 >= midTails * limit else { return }
        try db.execute(sql: "INSERT OR FAIL INTO event_ids (id_key, seq) SELECT id_key, seq FROM event_ids_mid ORDER BY id_key, seq")
        try db.execute(sql: "DELETE FROM event_ids_mid")
    }

    /// Pairs `task_hashes_tail` holds before ``mergeTaskHashes(_:limit:)`` moves them into
    /// `task_hashes`: two nights of bench/nightly's 100k new tasks. Each import transaction
    /// writes every page of the tail it inserted into (about 14 bytes a pair: 350 pages at the
    /// limit), and a merge every page of `task_hashes`; v7's index of every task, written again
    /// by every transaction, was 1,820 pages at 800k tasks.
    package static let taskTailLimit = 200_000

    /// Moves the tail's pairs into `task_hashes` in hash order when it holds `limit` or more, in
    /// the caller's write transaction (as ``mergeTail(_:limit:)`` does for ids).
    package static func mergeTaskHashes(_ db: Database, limit: Int = taskTailLimit) throws {
        guard try Int.fetchOne(db, sql: "SELECT count(*) FROM task_hashes_tail") ?? 0 >= limit else { return }
        try db.execute(sql: """
            INSERT OR FAIL INTO task_hashes (task_hash, task_key)
            SELECT task_hash, task_key FROM task_hashes_tail ORDER BY task_hash, task_key
            """)
        try db.execute(sql: "DELETE FROM task_hashes_tail")
    }

    /// What version 8 added, as the schema file has it: the two pair tables and the triggers that
    /// keep them in step with `task_keys`.
    package static let taskHashTables = [
        "CREATE TABLE IF NOT EXISTS task_hashes (task_hash INTEGER NOT NULL, task_key INTEGER NOT NULL, PRIMARY KEY (task_hash, task_key)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS task_hashes_tail (task_hash INTEGER NOT NULL, task_key INTEGER NOT NULL, PRIMARY KEY (task_hash, task_key)) WITHOUT ROWID",
        """
        CREATE TRIGGER IF NOT EXISTS task_keys_hash_added AFTER INSERT ON task_keys BEGIN
            INSERT INTO task_hashes_tail (task_hash, task_key) VALUES (NEW.task_hash, NEW.task_key);
        END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS task_keys_hash_removed AFTER DELETE ON task_keys BEGIN
            DELETE FROM task_hashes_tail WHERE task_hash = OLD.task_hash AND task_key = OLD.task_key;
            DELETE FROM task_hashes WHERE task_hash = OLD.task_hash AND task_key = OLD.task_key;
        END
        """,
    ]

    /// The key table of versions 6 and 7 (version 5's had a unique index on `task` and no hash;
    /// version 8 drops the index on the hash for ``taskHashTables``).
    package static let taskKeysTable = [
        "CREATE TABLE IF NOT EXISTS task_keys (task_key INTEGER PRIMARY KEY, task TEXT NOT NULL, task_hash INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS task_keys_by_hash ON task_keys(task_hash)",
    ]

    /// The indexes version 3 added, as the schema file has them (IF NOT EXISTS: a ledger may
    /// have been given them by hand).
    package static let windowIndexes = [
        "CREATE INDEX IF NOT EXISTS task_events_by_ts ON task_events(ts)",
        "CREATE INDEX IF NOT EXISTS task_state_snapshot_terminal ON task_state_snapshot(terminal_ts) WHERE terminal_ts IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS import_rejects_by_ts ON import_rejects(ts) WHERE ts IS NOT NULL",
    ]

    /// What version 4 added, as the schema file has it.
    package static let archiveTables = [
        "CREATE INDEX IF NOT EXISTS import_rejects_by_task ON import_rejects(task) WHERE task IS NOT NULL",
        """
        CREATE TABLE IF NOT EXISTS ledger_archives (
            path TEXT PRIMARY KEY NOT NULL, before_ts INTEGER NOT NULL, tasks INTEGER NOT NULL,
            events INTEGER NOT NULL, first_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID
        """,
    ]

    /// Tables every ledger has; a database with other tables and none of these is not a ledger.
    /// `task_keys`, `task_hashes`, `task_hashes_tail` and the `event_ids` tables are this store's own
    /// (PostgreSQL indexes history by the task's text and ids by their text).
    package static let tables = LedgerSchema.tables + [
        "task_keys", "task_hashes", "task_hashes_tail", "event_ids", "event_ids_mid", "event_ids_tail", "dedupe_filter", "dedupe_filter_words",
    ]
}
