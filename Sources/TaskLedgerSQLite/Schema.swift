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
    package static let tables = LedgerSchema.tables
}
