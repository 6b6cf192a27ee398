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
        migrator.registerMigration("v1") { db in
            try db.execute(sql: sql)
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        return migrator
    }

    /// Tables every ledger has; a database with other tables and none of these is not a ledger.
    package static let tables = LedgerSchema.tables
}
