import Foundation

/// The judgement passed on one input line, in the order of SPEC §4.
///
/// The first four are parse failures (the line never becomes an event); `duplicate` is a
/// well-formed event already in the ledger; the rest are stored in `task_events`.
///
/// The raw value is the name reports and `--fail-on` use (`illegal_transition`).
public enum Verdict: String, Sendable, CaseIterable, Codable, Comparable {
    /// The line is not one JSON object (or not valid UTF-8): kept in `import_rejects`.
    case malformed
    /// The line has no task, state or ts under any of its keys: kept in `import_rejects`.
    case missingField = "missing_field"
    /// A field has the wrong type (a float task, a numeric actor): kept in `import_rejects`.
    case badField = "bad_field"
    /// The ts is neither RFC 3339 nor an epoch number, or lies outside years 0001–9999.
    case badTimestamp = "bad_timestamp"
    /// The same `id` (or, without id, the same task, state, ts, actor, source, stage and
    /// detail) is already in the ledger: not stored again. A retried write is harmless.
    case duplicate
    /// The state is not one the rules know, even after normalising and aliases: stored with the
    /// raw state, the snapshot unchanged.
    case unknownState = "unknown_state"
    /// The task is already in a terminal state: stored, the snapshot unchanged.
    case afterTerminal = "after_terminal"
    /// The rules do not allow this state after the current one (or as a task's first state):
    /// stored, the snapshot unchanged.
    case illegalTransition = "illegal_transition"
    /// A legal transition whose ts is earlier than the task's latest: stored **and applied**.
    case outOfOrder = "out_of_order"
    /// A legal transition in time order: stored and applied to the snapshot.
    case applied

    /// Every verdict except `applied` is a violation and appears in the violations report.
    public var isViolation: Bool { self != .applied }

    /// Whether an event with this verdict changes the task's snapshot.
    public var changesSnapshot: Bool { self == .applied || self == .outOfOrder }

    /// Whether the line is kept in `task_events` (otherwise it goes to `import_rejects`).
    public var isStoredAsEvent: Bool {
        switch self {
        case .unknownState, .afterTerminal, .illegalTransition, .outOfOrder, .applied: true
        default: false
        }
    }

    /// ``rawValue`` as NUL-terminated UTF-8 that lives as long as the process, which the write
    /// path binds without copying (made once from the raw values: the names live in one place).
    package var storedName: (bytes: UnsafePointer<CChar>, count: Int32) {
        Verdict.storedNames[rank]
    }

    // nonisolated(unsafe): written once, read-only after; the bytes are never freed or changed.
    private nonisolated(unsafe) static let storedNames: [(bytes: UnsafePointer<CChar>, count: Int32)] = allCases.map {
        (UnsafePointer(strdup($0.rawValue)!), Int32($0.rawValue.utf8.count))
    }

    /// Position in the SPEC §4 table; used for stable ordering in summaries.
    public var rank: Int { Verdict.allCases.firstIndex(of: self)! }

    /// Orders verdicts by ``rank``, as summaries list them.
    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rank < rhs.rank }
}

/// Why a line could not become an event.
package enum RejectKind: String, Sendable, CaseIterable {
    case malformed
    case missingField = "missing_field"
    case badField = "bad_field"
    case badTimestamp = "bad_timestamp"

    /// The verdict this reject is reported as.
    package var verdict: Verdict { Verdict(rawValue: rawValue)! }
}

extension Verdict {
    /// The verdict a stored row names; a name no task-ledger writes is a damaged row, never a guess.
    package init(stored name: String, in table: String, location: String) throws {
        guard let verdict = Verdict(rawValue: name) else {
            throw LedgerError.damagedRow(path: location, table: table, detail: "unknown verdict '\(name)'")
        }
        self = verdict
    }
}
