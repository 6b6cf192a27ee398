import Foundation

/// How to treat a ledger that does not exist yet.
public enum LedgerOpenMode: Sendable {
    /// Create the ledger if there is none (an SQLite file with mode 0600 minus the umask, or the
    /// tables in an existing PostgreSQL database).
    case create
    /// Fail with ``LedgerError/missing(path:)`` if there is none.
    case existing
}

/// The port for live writes and queries: what every store (the SQLite file, the PostgreSQL
/// database) implements. Every store judges with ``Rules/judge(canonical:timestamp:snapshot:isDuplicate:)``,
/// so verdicts agree whatever holds the ledger; only the storage underneath differs.
package protocol LedgerStore: Sendable {
    /// Where the ledger is, for messages and reports: the path, or the database without its password.
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
    /// Everything a report says, read in one transaction so that its files agree: the
    /// outcomes (terminal snapshots within the window, each with its task's event count) are
    /// handed to `outcome` one at a time in bytewise task order while the transaction is open,
    /// the rest is returned.
    func reportRows(_ options: ReportOptions, outcome: (ReportRows.Outcome) throws -> Void) throws -> ReportRows
}

extension StatusEvent {
    /// Throws for a live event with a NUL in a field. The importer refuses these as bad_field;
    /// a library caller of either store gets the same refusal.
    package func refuseNUL() throws {
        for (name, value) in [("task", task), ("state", state), ("id", id ?? ""), ("actor", actor),
                              ("source", source), ("stage", stage), ("detail", detail)]
        where value.utf8.contains(0) {
            throw LedgerError.invalidEvent(StatusEvent.nulRefusal(field: name))
        }
    }
}

extension Int64 {
    /// `self - other`, clamped instead of overflowing (a cooldown of years before year 1).
    package func saturatingMinus(_ other: Int64) -> Int64 {
        let (result, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other > 0 ? .min : .max) : result
    }
}

extension StatusEvent {
    /// The JSON line a live write stands for, kept verbatim when it is a duplicate.
    package var jsonLine: String {
        var fields: [String: Any] = ["task": task, "state": state, "ts": Timestamp.format(timestamp)]
        for (key, value) in [("id", id), ("actor", actor), ("source", source), ("stage", stage), ("detail", detail)] {
            if let value, !value.isEmpty { fields[key] = value }
        }
        let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
