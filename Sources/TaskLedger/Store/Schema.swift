import GRDB

/// The ledger schema: `schema/status_schema.sql`, embedded at build time, applied through a
/// `DatabaseMigrator`, with `PRAGMA user_version` carrying the version.
enum Schema {
    /// The `user_version` this build writes and understands.
    static let version = 1

    static var sql: String { String(decoding: PackageResources.status_schema_sql, as: UTF8.self) }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: sql)
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        return migrator
    }

    /// Tables every ledger has; a database with other tables and none of these is not a ledger.
    static let tables = ["task_events", "task_state_snapshot", "delivery_log", "import_rejects", "import_files"]
}
