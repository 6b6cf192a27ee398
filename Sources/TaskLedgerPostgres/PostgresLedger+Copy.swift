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
                    var text = CopyText()
                    for row in page {
                        for value in row {
                            switch value {
                            case .null: text.field(nil as String?)
                            case .integer(let n): text.field(n)
                            case .text(let s): text.field(s)
                            }
                        }
                        text.endRow()
                    }
                    try conn.copy(text, into: table.name, columns: table.columns)
                    copied += page.count
                    after = last
                }
                summary.rows.append((table.name, copied))
            }
            for (table, column) in [("task_events", "seq"), ("delivery_log", "id"), ("import_rejects", "id")] {
                try conn.exec("""
                    SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), coalesce(max(\(column)), 0) + 1, false)
                    FROM \(table)
                    """)
            }
            return summary
        }
    }
}
