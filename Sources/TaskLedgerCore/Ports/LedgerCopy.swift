/// What every store's schema shares: its version and its tables.
package enum LedgerSchema {
    /// The schema version this build writes and understands (SQLite's `user_version`,
    /// PostgreSQL's `ledger_schema` table).
    package static let version = 8

    /// Tables every ledger has; a database with other tables and none of these is not a ledger.
    package static let tables = ["task_events", "task_state_snapshot", "delivery_log", "import_rejects", "import_files", "ledger_archives"]

    /// Tables in copy order with their columns; the first column is the key the copy pages by.
    package static let copied: [(name: String, columns: [String])] = [
        ("task_events", ["seq", "task", "state", "verdict", "from_state", "ts", "event_id", "content_key", "actor",
                         "source", "stage", "detail", "attrs", "file", "line"]),
        ("task_state_snapshot", ["task", "state", "stage", "actor", "source", "first_ts", "last_ts", "terminal_ts", "partial"]),
        ("delivery_log", ["id", "task", "channel", "key", "delivered_at"]),
        ("import_rejects", ["id", "file", "line", "kind", "task", "from_state", "to_state", "ts", "event_id", "message", "raw"]),
        ("import_files", ["path", "head_hash", "head_length", "offset", "lines", "compressed", "updated_at"]),
        ("ledger_archives", ["path", "before_ts", "tasks", "events", "first_at", "updated_at"]),
    ]

    /// The tables whose rows belong to a task and move with it to an archive (`archive`), in
    /// ``copied``'s order and with its columns.
    package static let archived: [(name: String, columns: [String])] = copied.filter {
        ["task_events", "task_state_snapshot", "delivery_log", "import_rejects"].contains($0.name)
    }
}

// The ports `migrate` copies a ledger through, from one store to another, so that neither
// store sees the other: the source hands pages of rows, the destination stores them.

/// One stored value, as every store can hold it.
package enum LedgerValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
}

/// A store whose rows can be read out, page by page, for a copy.
package protocol LedgerRowSource: Sendable {
    /// Up to `limit` rows of `table` (its `columns`, in order) whose key (the first column) is
    /// after `after` (``LedgerValue/null``: from the start), in key order.
    func rows(of table: String, columns: [String], after: LedgerValue, limit: Int) throws -> [[LedgerValue]]
}

/// A store that can take every row of another, keeping `seq` and ids.
package protocol LedgerRowDestination: Sendable {
    /// Copies every row of `source` into this ledger, which must hold none, in one transaction.
    func copyRows(from source: any LedgerRowSource) throws -> LedgerCopySummary
}

/// What a copy between stores copied: rows per table.
public struct LedgerCopySummary: Sendable {
    /// Table name → rows copied, in copy order.
    public var rows: [(table: String, count: Int)] = []

    package init() {}
}
