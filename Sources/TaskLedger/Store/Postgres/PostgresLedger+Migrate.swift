import GRDB

/// What ``PostgresLedger/copy(from:)`` copied: rows per table.
public struct LedgerCopySummary: Sendable {
    /// Table name → rows copied, in copy order.
    public var rows: [(table: String, count: Int)] = []
}

extension PostgresLedger {
    /// Tables in copy order with their columns; the first column is the key the copy pages by.
    private static let copiedTables: [(name: String, columns: [String])] = [
        ("task_events", ["seq", "task", "state", "verdict", "from_state", "ts", "event_id", "content_key", "actor",
                         "source", "stage", "detail", "attrs", "file", "line"]),
        ("task_state_snapshot", ["task", "state", "stage", "actor", "source", "first_ts", "last_ts", "terminal_ts"]),
        ("delivery_log", ["id", "task", "channel", "key", "delivered_at"]),
        ("import_rejects", ["id", "file", "line", "kind", "task", "from_state", "to_state", "ts", "event_id", "message", "raw"]),
        ("import_files", ["path", "head_hash", "head_length", "offset", "lines", "compressed", "updated_at"]),
    ]

    /// Copies every row of the SQLite ledger `source` into this one, which must hold no events:
    /// history keeps its `seq` (arrival order), so `verify`, reports and resumed imports carry on
    /// exactly. One transaction: on any failure nothing is copied.
    public func copy(from source: Ledger) throws -> LedgerCopySummary {
        try transaction { conn in
            try conn.exec("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockSpace), \(PostgresSchema.writeLock))")
            for table in ["task_events", "import_rejects", "import_files", "delivery_log", "task_state_snapshot"] {
                guard try conn.exec("SELECT 1 FROM \(table) LIMIT 1").rowCount == 0 else {
                    throw LedgerError.database(
                        path: location, message: "\(table) already holds rows: migrate into a new, empty database")
                }
            }
            var summary = LedgerCopySummary()
            for table in PostgresLedger.copiedTables {
                var copied = 0
                var after: DatabaseValue = .null
                while true {
                    let (rows, last) = try PostgresLedger.page(of: table.name, columns: table.columns, after: after, from: source)
                    guard rows.rows > 0 else { break }
                    try conn.copy(rows, into: table.name, columns: table.columns)
                    copied += rows.rows
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

    /// Up to 20,000 rows of `table` with a key after `after`, as COPY text, and the last key.
    private static func page(
        of table: String, columns: [String], after: DatabaseValue, from source: Ledger
    ) throws -> (CopyText, DatabaseValue) {
        try source.read { db in
            var text = CopyText()
            var last = after
            let quoted = columns.map { "\"\($0)\"" }
            let condition = after.isNull ? "" : "WHERE \(quoted[0]) > ?"
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(quoted.joined(separator: ", ")) FROM \(table) \(condition) ORDER BY \(quoted[0]) LIMIT 20000",
                arguments: after.isNull ? [] : [after])
            while let row = try rows.next() {
                for value in row.databaseValues {
                    switch value.storage {
                    case .null: text.field(nil as String?)
                    case .int64(let n): text.field(n)
                    case .double(let d): text.field(String(d))
                    case .string(let s): text.field(s)
                    case .blob(let b): text.field(String(decoding: b, as: UTF8.self))
                    }
                }
                text.endRow()
                last = row.databaseValues.first ?? last
            }
            return (text, last)
        }
    }
}
