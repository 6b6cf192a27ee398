import Foundation
import TaskLedgerCore
import TaskLedgerDecoding
import TaskLedgerImport
import TaskLedgerPostgres
import TaskLedgerReport
import TaskLedgerSQLite

/// A task ledger: an SQLite file (the default) or a PostgreSQL database, judged by one set of
/// `Rules`. Open it once and share it between threads; every call is one transaction.
///
/// ```swift
/// let ledger = try Ledger("ledger.sqlite")
/// let verdict = try ledger.write(StatusEvent(task: "build-42", state: "RUNNING", timestamp: now))
/// let state = try ledger.snapshot(task: "build-42")?.state
/// ```
///
/// Both stores judge with the same rules, decode with the same `EventDecoder` and hand the
/// same rows to the same `Report`, so verdicts and report files agree byte for byte.
public final class Ledger: Sendable {
    package let store: any LedgerStore & ImportDestination

    /// Where the ledger is, for messages and reports: the SQLite path as given, or the
    /// PostgreSQL database without its password.
    public var location: String { store.location }
    /// The rules events are judged by.
    public var rules: Rules { store.rules }

    /// Opens the ledger named by `db`, creating it (with `mode` `.create`) or
    /// migrating it to this build's schema.
    ///
    /// `db` names a PostgreSQL database when ``isPostgreSQL(_:)`` says so (a `postgres://` or
    /// `postgresql://` URL, or a libpq `key=value` connection string); anything else is the path
    /// of an SQLite file.
    /// - Throws: `LedgerError` with a message for people.
    public init(_ db: String, rules: Rules = .standard, mode: LedgerOpenMode = .create) throws {
        if Ledger.isPostgreSQL(db) {
            store = try PostgresLedger(connectionString: db, rules: rules, mode: mode)
        } else {
            store = try SQLiteLedger(path: db, rules: rules, mode: mode)
        }
    }

    package init(store: any LedgerStore & ImportDestination) {
        self.store = store
    }

    /// Whether `db` names a PostgreSQL database rather than an SQLite file.
    public static func isPostgreSQL(_ db: String) -> Bool {
        PostgresLedger.isConnectionString(db)
    }

    /// Records one live event (SPEC §5 `write`): judged by the same rules as an import, stored
    /// with its verdict, the task's snapshot updated in the same transaction.
    /// - Throws: `LedgerError.invalidEvent` for a field holding NUL; `LedgerError` for
    ///   ledger failures (nothing is stored then).
    @discardableResult
    public func write(_ event: StatusEvent) throws -> Verdict { try store.write(event) }

    /// The current state of `task`, or nil if it has no applied event.
    public func snapshot(task: String) throws -> Snapshot? { try store.snapshot(task: task) }

    /// Every stored event of `task`, in arrival order (refused ones included).
    /// - Throws: `LedgerError.damagedRow` for a row no task-ledger wrote.
    public func history(task: String) throws -> [RecordedEvent] { try store.history(task: task) }

    /// How many events of `task` the ledger holds (refused ones included).
    public func eventCount(task: String) throws -> Int { try store.eventCount(task: task) }

    /// The latest ts of any stored event, in epoch ms: what `--now latest` means.
    public func latestTimestamp() throws -> Int64? { try store.latestTimestamp() }

    /// Open tasks whose last applied event is older than their state's stale threshold (or than
    /// `olderThan` ms), measured from `now`; oldest first, equal ages by task.
    public func staleTasks(now: Int64, olderThan: Int64? = nil) throws -> [StaleTask] {
        try store.staleTasks(now: now, olderThan: olderThan)
    }

    /// Atomically checks and records a notification (SPEC §5 `deliver`): `key` defaults to
    /// `task#state`. A key already delivered on `channel` is `.suppressedDuplicate`;
    /// with a `cooldown`, a delivery for the same task on `channel` less than `cooldown` ms before
    /// `now` is `.suppressedCooldown`. Of many racing callers, exactly one gets
    /// `.deliver`: only that one should send the notification.
    /// - Throws: `LedgerError.noState` without `key` for a task with no state.
    public func deliver(
        task: String, channel: String, key: String? = nil, cooldown: Int64? = nil, now: Int64
    ) throws -> DeliveryOutcome {
        try store.deliver(task: task, channel: channel, key: key, cooldown: cooldown, now: now)
    }

    /// Rebuilds every snapshot from history and compares them with the stored ones.
    public func verify() throws -> VerifyReport { try store.verify() }

    /// Imports one JSONL file (plain or gzip; `-` for stdin) from its checkpoint on, `batchSize`
    /// lines per transaction, reading lines with `decoder` (a `Profile`'s, or the SPEC's keys).
    ///
    /// Re-importing a file adds only the lines after its checkpoint; a file whose first bytes
    /// changed is read from the start (duplicates are caught by the rules).
    /// - Parameters:
    ///   - path: the file, as it will be named in checkpoints and in `violations.csv`.
    ///   - decoder: how lines become events: `EventDecoder()` for SPEC keys, or
    ///     `profile.decoder()`.
    ///   - batchSize: lines per transaction (and per checkpoint): larger is faster, smaller
    ///     loses less work to a crash and lets `shouldStop` answer sooner.
    ///   - progress: called after each committed batch.
    ///   - shouldStop: checked between batches; when it returns true the import stops at that
    ///     batch boundary (everything before it committed) and throws `ImportAborted`.
    /// - Throws: `ImportError` when the file cannot be opened; `ImportAborted` for damaged
    ///   input, after committing every complete line before the damage; `LedgerError` for
    ///   ledger failures (the batch in flight is rolled back, its checkpoint with it).
    public func importFile(
        _ path: String, decoder: EventDecoder = EventDecoder(), batchSize: Int? = nil,
        progress: (ImportProgress) -> Void = { _ in }, shouldStop: () -> Bool = { false }
    ) throws -> ImportSummary {
        try Importer(ledger: store, decoder: decoder, batchSize: batchSize)
            .importFile(path, progress: progress, shouldStop: shouldStop)
    }

    /// Everything the report files say about the ledger at `options.now`, read in one
    /// transaction; write it with `Report.write(to:)`. It holds every outcome row (one per
    /// terminal task in the window: for a full report of a big ledger, hundreds of bytes per
    /// task of the ledger); ``writeReport(_:to:)`` writes the same files without holding them.
    public func report(_ options: ReportOptions) throws -> Report {
        var outcomes: [Report.Outcome] = []
        let rows = try store.reportRows(options) { outcomes.append(Report.Outcome($0)) }
        return Report(
            rows: rows, outcomes: outcomes, tally: OutcomeTally(outcomes), options: options, ledgerPath: location,
            rules: rules)
    }

    /// Writes the files of ``report(_:)`` into `directory` (created if missing) while reading
    /// them, so that memory does not grow with the number of outcomes: `outcomes.csv` is
    /// written as its rows are read and replaces the old file when the read is done.
    /// - Returns: the report, whose `outcomes` is empty (its counts, percentiles, violations
    ///   and stale tasks are all there), and the files' paths in `Report.fileNames` order.
    /// - Throws: `LedgerError` when reading fails, `ReportError` when writing does; files not
    ///   yet replaced stay as they were.
    public func writeReport(_ options: ReportOptions, to directory: String) throws -> (report: Report, files: [String]) {
        try ReportWriter.write(options: options, ledgerPath: location, rules: rules, to: directory) { outcome in
            try store.reportRows(options, outcome: outcome)
        }
    }

    /// Copies every row of this ledger into `destination`, a PostgreSQL ledger holding no rows
    /// yet, in one transaction, keeping arrival order (`seq`) and ids.
    /// - Throws: `LedgerError` if `destination` is not PostgreSQL, holds rows, or fails.
    public func copy(into destination: Ledger) throws -> LedgerCopySummary {
        guard let source = store as? any LedgerRowSource else {
            throw LedgerError.database(path: location, message: "only an SQLite ledger can be copied from")
        }
        guard let target = destination.store as? any LedgerRowDestination else {
            throw LedgerError.database(path: destination.location, message: "only a PostgreSQL ledger can be copied into")
        }
        return try target.copyRows(from: source)
    }

    /// Moves the history of every task whose terminal event is before `before` into
    /// `destination`, another ledger (typically a new SQLite file), `batchSize` tasks per
    /// transaction: each batch is committed in `destination` first, then deleted here with a
    /// record of the archive in `ledger_archives`. A crash between the two leaves the batch in
    /// both; the next run stores it once more (a no-op) and deletes it. Open tasks, and tasks
    /// that ended at or after `before`, stay. Running it again moves what has finished since,
    /// or nothing.
    ///
    /// Both ledgers stay valid (`verify`, `report`, `history` work on each); an event that
    /// arrives later for an archived task starts that task afresh here, and an id of an
    /// archived event is no longer known to this ledger's dedupe.
    /// - Parameters:
    ///   - archive: how `destination` is recorded in `ledger_archives` (default: its location).
    ///   - progress: called after each committed batch with the running totals.
    /// - Throws: `LedgerError` if `destination` is this ledger, is not this ledger's archive
    ///   (holds other rows under the same keys), or fails; batches committed before stay moved.
    public func archive(
        before: Int64, into destination: Ledger, as archive: String? = nil, batchSize: Int = 3_000,
        now: Int64 = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)),
        progress: (ArchiveSummary) -> Void = { _ in }
    ) throws -> ArchiveSummary {
        guard let source = store as? any LedgerArchiveSource,
              let target = destination.store as? any LedgerArchiveDestination else {
            throw LedgerError.database(path: location, message: "this store cannot archive")
        }
        if destination.location == location || Ledger.sameFile(location, destination.location) {
            throw LedgerError.database(path: location, message: "the archive must be another ledger than the one archived")
        }
        let started = Date()
        var summary = ArchiveSummary()
        while let batch = try source.archiveBatch(
            before: before, limit: max(1, batchSize), archive: archive ?? destination.location, now: now,
            store: target.storeArchived)
        {
            summary.add(batch)
            summary.elapsed = Date().timeIntervalSince(started)
            progress(summary)
        }
        summary.elapsed = Date().timeIntervalSince(started)
        return summary
    }

    /// Whether two SQLite paths name one file (through links or `./`).
    private static func sameFile(_ a: String, _ b: String) -> Bool {
        guard !isPostgreSQL(a), !isPostgreSQL(b) else { return false }
        var first = stat(), second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
}
