import TaskLedgerCore

/// The PostgreSQL translation of the schema: `schema/status_schema.postgres.sql`, embedded at
/// build time and applied in one transaction when a database has no ledger yet.
package enum PostgresSchema {
    package static var sql: String { String(decoding: PackageResources.status_schema_postgres_sql, as: UTF8.self) }

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
            path TEXT PRIMARY KEY, before_ts BIGINT NOT NULL, tasks BIGINT NOT NULL,
            events BIGINT NOT NULL, first_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
        """,
    ]

    /// Advisory-lock key space (two 32-bit keys) of task-ledger's whole-ledger locks.
    package static let lockSpace: Int32 = 0x544C  // "TL"
    /// Serialises schema creation between processes opening a new database at once.
    package static let migrationLock: Int32 = 1
    /// Held shared by every live writer and exclusively by an importing batch.
    package static let writeLock: Int32 = 2
}

extension PostgresLedger {
    package func migrate(mode: LedgerOpenMode) throws {
        try transaction { conn in
            try conn.exec("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockSpace), \(PostgresSchema.migrationLock))")
            let present = try conn.exec("""
                SELECT table_name::text FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_name::text = ANY($1::text[])
                """, params: [PGArrayLiteral.text(LedgerSchema.tables + ["ledger_schema"])]).rows.map { try $0.text(0) }
            if present.contains("ledger_schema") {
                let version = try conn.exec("SELECT max(version) FROM ledger_schema").optionalInt64(0, 0) ?? 0
                if version > LedgerSchema.version {
                    throw LedgerError.newerSchema(path: location, found: Int(version), supported: LedgerSchema.version)
                }
                if version < 2 {
                    // v2: partial tasks (rules `partial: accept`) are marked in their snapshot.
                    try conn.exec("ALTER TABLE task_state_snapshot ADD COLUMN IF NOT EXISTS partial BIGINT NOT NULL DEFAULT 0")
                    try conn.exec("INSERT INTO ledger_schema (version) VALUES (2)")
                }
                if version < 3 {
                    // v3: report windows read their rows through these instead of every row.
                    for index in PostgresSchema.windowIndexes { try conn.exec(index) }
                    try conn.exec("INSERT INTO ledger_schema (version) VALUES (3)")
                }
                if version < 4 {
                    // v4: the record of archives, and the rejects of a task found by task.
                    for statement in PostgresSchema.archiveTables { try conn.exec(statement) }
                    try conn.exec("INSERT INTO ledger_schema (version) VALUES (4)")
                }
                if version < 5 {
                    // v5 gave SQLite ledgers integer task keys for the history index; a
                    // PostgreSQL ledger keeps its index on (task, seq): nothing changes here.
                    try conn.exec("INSERT INTO ledger_schema (version) VALUES (5)")
                }
                if version < 6 {
                    // v6 dropped SQLite's trigger that filled its id tail (its writers fill it
                    // in key order); nothing changes here either.
                    try conn.exec("INSERT INTO ledger_schema (version) VALUES (6)")
                }
                if version < 7 {
                    // v7 moved SQLite's content keys into its id tables; PostgreSQL keeps its
                    // index on content_key: nothing changes here.
                    try conn.exec("INSERT INTO ledger_schema (version) VALUES (7)")
                }
                if version < 8 {
                    // v8 moved SQLite's task hashes into tables of their own; PostgreSQL finds
                    // tasks through its index on task: nothing changes here.
                    try conn.exec("INSERT INTO ledger_schema (version) VALUES (8)")
                }
                return
            }
            if !present.isEmpty {
                throw LedgerError.notALedger(
                    path: location, reason: "it holds tables named like the ledger's (\(present.sorted().joined(separator: ", "))) but no ledger_schema")
            }
            guard mode == .create else { throw LedgerError.missing(path: location) }
            // The simple query protocol runs the whole file, every statement, in this transaction.
            try conn.exec(PostgresSchema.sql)
        }
    }
}
