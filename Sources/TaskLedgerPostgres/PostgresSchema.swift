import PostgresNIO
import TaskLedgerCore

/// The PostgreSQL translation of the schema: `schema/status_schema.postgres.sql`, embedded at
/// build time and applied in one transaction when a database has no ledger yet.
package enum PostgresSchema {
    package static var sql: String { String(decoding: PackageResources.status_schema_postgres_sql, as: UTF8.self) }

    /// The schema's statements: comments dropped, split at `;` (the extended query protocol runs one at a time).
    package static var statements: [String] {
        let code = sql.split(separator: "\n").map { line in
            line.range(of: "--").map { line[..<$0.lowerBound] } ?? line[...]
        }.joined(separator: "\n")
        return code.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// Advisory-lock key space (two 32-bit keys) of task-ledger's whole-ledger locks.
    package static let lockSpace: Int32 = 0x544C  // "TL"
    /// Serialises schema creation between processes opening a new database at once.
    package static let migrationLock: Int32 = 1
    /// Held shared by every live writer and exclusively by an importing batch.
    package static let writeLock: Int32 = 2
}

extension PostgresLedger {
    package func migrate(mode: LedgerOpenMode) throws {
        let logger = logger, location = location
        try transaction { conn in
            try await conn.query(
                "SELECT pg_advisory_xact_lock(\(PostgresSchema.lockSpace), \(PostgresSchema.migrationLock))", logger: logger)
            let present = try await conn.query("""
                SELECT table_name::text FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_name::text = ANY(\(LedgerSchema.tables + ["ledger_schema"]))
                """, logger: logger).collect().map { try $0.decode(String.self) }
            if present.contains("ledger_schema") {
                let version = try await conn.query("SELECT max(version) FROM ledger_schema", logger: logger)
                    .collect().first?.decode(Int?.self) ?? 0
                if version > LedgerSchema.version {
                    throw LedgerError.newerSchema(path: location, found: version, supported: LedgerSchema.version)
                }
                return
            }
            if !present.isEmpty {
                throw LedgerError.notALedger(
                    path: location, reason: "it holds tables named like the ledger's (\(present.sorted().joined(separator: ", "))) but no ledger_schema")
            }
            guard mode == .create else { throw LedgerError.missing(path: location) }
            for statement in PostgresSchema.statements {
                try await conn.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }
}
