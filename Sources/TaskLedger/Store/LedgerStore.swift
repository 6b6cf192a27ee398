/// What the commands need from a ledger, whatever holds it: one SQLite file (``Ledger``, the
/// default) or a PostgreSQL database (``PostgresLedger``). Both judge with the same
/// ``Rules/judge(canonical:timestamp:snapshot:isDuplicate:)``, decode with the same
/// ``EventDecoder`` and produce the same ``Report`` value, so verdicts and report files agree
/// byte for byte; only the storage underneath differs.
public protocol LedgerStore: Sendable {
    /// Where the ledger is, for messages and reports: the path, or the URL without its password.
    var location: String { get }
    /// The rules events are judged by.
    var rules: Rules { get }

    /// Records one live event (SPEC §5 `write`) and returns its verdict.
    func write(_ event: StatusEvent) throws -> Verdict
    /// The current state of `task`, or nil if it has no applied event.
    func snapshot(task: String) throws -> Snapshot?
    /// Every stored event of `task`, in arrival order (refused ones included).
    func history(task: String) throws -> [RecordedEvent]
    /// Number of rows of `task` in `task_events`.
    func eventCount(task: String) throws -> Int
    /// The latest ts of any row in `task_events`: `--now latest`.
    func latestTimestamp() throws -> Int64?
    /// Open tasks past their threshold (or `olderThan`), oldest first, equal ages by task.
    func staleTasks(now: Int64, olderThan: Int64?) throws -> [StaleTask]
    /// Atomic check-and-record of a notification (SPEC §5 `deliver`).
    func deliver(task: String, channel: String, key: String?, cooldown: Int64?, now: Int64) throws -> DeliveryOutcome
    /// Rebuilds every snapshot from history and compares with the stored ones.
    func verify() throws -> VerifyReport
    /// Everything the report files say, read in one transaction.
    func report(_ options: ReportOptions) throws -> Report
    /// An importer of JSONL files into this ledger, reading lines with `decoder`, `batchSize` lines per transaction.
    func importer(decoder: EventDecoder, batchSize: Int) -> any LedgerImporting
}

/// Streams JSONL files into a ledger, resumably (see ``Importer/importFile(_:progress:shouldStop:)``).
public protocol LedgerImporting: Sendable {
    /// Imports one file (`-` for stdin) from its checkpoint on.
    func importFile(_ path: String, progress: (ImportProgress) -> Void, shouldStop: () -> Bool) throws -> ImportSummary
}

/// Opens the ledger named by `db`: a `postgres://` or `postgresql://` URL, or a libpq
/// keyword/value string (``PostgresLedger/isConnectionString(_:)``), opens a ``PostgresLedger``;
/// anything else is a path to an SQLite ``Ledger``.
public func openLedger(_ db: String, rules: Rules = .standard, mode: Ledger.OpenMode = .create) throws -> any LedgerStore {
    if PostgresLedger.isConnectionString(db) {
        return try PostgresLedger(connectionString: db, rules: rules, mode: mode)
    }
    return try Ledger(path: db, rules: rules, mode: mode)
}

extension Ledger: LedgerStore {
    public var location: String { path }

    public func importer(decoder: EventDecoder, batchSize: Int) -> any LedgerImporting {
        Importer(ledger: self, decoder: decoder, batchSize: batchSize)
    }
}

extension Importer: LedgerImporting {}
