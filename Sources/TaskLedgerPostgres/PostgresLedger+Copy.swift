import TaskLedgerCore

extension PostgresLedger: LedgerRowDestination {
    /// Copies every row of `source` into this ledger, which must hold no events: history keeps
    /// its `seq` (arrival order), so `verify`, reports and resumed imports carry on exactly.
    /// One transaction: on any failure nothing is copied.
    package func copyRows(from source: any LedgerRowSource) throws -> LedgerCopySummary {
        try transaction { conn in
            try conn.exec("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockSpace), \(PostgresSchema.writeLock))")
            for table in LedgerSchema.tables {
                guard try conn.exec("SELECT 1 FROM \(table) LIMIT 1").rowCount == 0 else {
                    throw LedgerError.database(
                        path: location, message: "\(table) already holds rows: migrate into a new, empty database")
                }
            }
            var summary = LedgerCopySummary()
            for table in LedgerSchema.copied {
                var copied = 0
                var after = LedgerValue.null
                while true {
                    let page = try source.rows(of: table.name, columns: table.columns, after: after, limit: 20_000)
                    guard let last = page.last?.first else { break }
                    try conn.copy(CopyText(rows: page), into: table.name, columns: table.columns)
                    copied += page.count
                    after = last
                }
                summary.rows.append((table.name, copied))
            }
            try PostgresLedger.continueIdentities(conn)
            return summary
        }
    }

    /// Sets each identity column's next value after the largest stored, once rows were stored
    /// with their own keys (a copy, an archive): later inserts then never reuse one.
    package static func continueIdentities(_ conn: PGConnection) throws {
        for (table, column) in [("task_events", "seq"), ("delivery_log", "id"), ("import_rejects", "id")] {
            try conn.exec("""
                SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), coalesce(max(\(column)), 0) + 1, false)
                FROM \(table)
                """)
        }
    }
}

extension CopyText {
    /// Rows of stored values, in COPY's text format.
    package init(rows: [[LedgerValue]]) {
        self.init()
        for row in rows {
            for value in row {
                switch value {
                case .null: field(nil as String?)
                case .integer(let n): field(n)
                case .text(let s): field(s)
                }
            }
            endRow()
        }
    }
}
