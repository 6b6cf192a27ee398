// The ports `archive` moves finished tasks through, from a live ledger into an archive ledger,
// so that neither store sees the other: the source picks a batch of tasks and hands their rows
// over inside its write transaction; the destination commits them before the source deletes.

/// The rows of one batch of finished tasks: every row of ``LedgerSchema/archived``'s tables
/// that names one of them, with the columns ``LedgerSchema/archived`` lists, keys kept.
package struct ArchiveRows: Sendable {
    /// The tasks of the batch.
    package var tasks: [String]
    /// Table name → its rows, in ``LedgerSchema/archived``'s order, each table in key order.
    package var tables: [(name: String, rows: [[LedgerValue]])]

    package init(tasks: [String], tables: [(name: String, rows: [[LedgerValue]])]) {
        self.tasks = tasks
        self.tables = tables
    }

    /// Rows of `table` in the batch.
    package func count(of table: String) -> Int {
        tables.first { $0.name == table }?.rows.count ?? 0
    }
}

/// A ledger that finished tasks can be moved out of.
package protocol LedgerArchiveSource: Sendable {
    /// In one write transaction (no other writer commits meanwhile): picks up to `limit` tasks
    /// whose terminal event is before `before` (oldest terminal first, then by task), hands
    /// their rows to `store`, which must have committed them elsewhere when it returns, then
    /// deletes those rows and adds the batch to the record of the archive at `archive` in
    /// `ledger_archives`. Returns nil, having written nothing, when no task is left to move.
    /// If `store` throws, nothing is deleted.
    func archiveBatch(
        before: Int64, limit: Int, archive: String, now: Int64, store: (ArchiveRows) throws -> Void
    ) throws -> ArchiveRows?
}

/// A ledger that can receive the rows of archived tasks.
package protocol LedgerArchiveDestination: Sendable {
    /// Stores `rows` in one transaction, keeping `seq` and ids. Rows it already holds (a batch
    /// stored before a crash, before the source deleted it) are left as they are, so storing a
    /// batch twice stores it once; a row whose key is held by another task's row is refused
    /// with ``LedgerError/database(path:message:)`` (the file is not this ledger's archive).
    func storeArchived(_ rows: ArchiveRows) throws
}

/// What an archive moved.
public struct ArchiveSummary: Sendable, Equatable {
    /// Tasks moved.
    public var tasks = 0
    /// Rows of `task_events` moved.
    public var events = 0
    /// Rows of `delivery_log` moved with them.
    public var deliveries = 0
    /// Rows of `import_rejects` moved with them.
    public var rejects = 0
    /// Transactions (batches) committed.
    public var batches = 0
    /// Seconds the archive took.
    public var elapsed: Double = 0

    package init() {}

    package mutating func add(_ rows: ArchiveRows) {
        tasks += rows.tasks.count
        events += rows.count(of: "task_events")
        deliveries += rows.count(of: "delivery_log")
        rejects += rows.count(of: "import_rejects")
        batches += 1
    }
}
