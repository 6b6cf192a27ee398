/// The port a store hands report rows through: everything a report says, read in one
/// transaction, before any of it is sorted, counted or worded (the report target does that,
/// once for every store). The outcomes, one per terminal task and so as many as the ledger has
/// tasks without a window, are not here: the store hands them one at a time, in task order, to
/// ``LedgerStore/reportRows(_:outcome:)``'s closure, which writes them out as they come.
package struct ReportRows: Sendable, Equatable {
    /// A terminal snapshot (within the window, if any), sorted by task bytewise.
    package struct Outcome: Sendable, Equatable {
        package var task: String
        package var state: String
        package var firstTimestamp: Int64
        package var terminalTimestamp: Int64
        package var actor: String
        package var source: String
        package var stage: String
        /// First seen mid-lifecycle (``Snapshot/partial``).
        package var partial: Bool
        /// The task's rows in `task_events` (within the window).
        package var events: Int

        package init(
            task: String, state: String, firstTimestamp: Int64, terminalTimestamp: Int64, actor: String,
            source: String, stage: String, partial: Bool = false, events: Int
        ) {
            self.partial = partial
            self.events = events
            self.task = task
            self.state = state
            self.firstTimestamp = firstTimestamp
            self.terminalTimestamp = terminalTimestamp
            self.actor = actor
            self.source = source
            self.stage = stage
        }
    }

    /// A refused event or a rejected line, sorted by file (bytewise), then line (live writes'
    /// NULL first), events before rejects, then arrival.
    package struct Violation: Sendable, Equatable {
        package var file: String
        package var line: Int?
        package var task: String?
        package var kind: Verdict
        package var fromState: String?
        package var toState: String?
        package var timestamp: Int64?
        package var eventID: String?
        /// The stored message of a reject; nil for a refused event (the report words it).
        package var message: String?
        /// For `out_of_order`: the latest ts applied before it.
        package var lastTimestamp: Int64?
        /// A reject's line as read; nil for a refused event (stored as its fields).
        package var raw: String?

        package init(
            file: String, line: Int?, task: String?, kind: Verdict, fromState: String?, toState: String?,
            timestamp: Int64?, eventID: String?, message: String?, lastTimestamp: Int64?, raw: String? = nil
        ) {
            self.raw = raw
            self.file = file
            self.line = line
            self.task = task
            self.kind = kind
            self.fromState = fromState
            self.toState = toState
            self.timestamp = timestamp
            self.eventID = eventID
            self.message = message
            self.lastTimestamp = lastTimestamp
        }
    }

    /// How often `from → to` was stored (from nil = a task's first event), applied or not; any order.
    package struct Transition: Sendable, Equatable {
        package var from: String?
        package var to: String
        package var applied: Bool
        package var count: Int

        package init(from: String?, to: String, applied: Bool, count: Int) {
            self.from = from
            self.to = to
            self.applied = applied
            self.count = count
        }
    }

    package var violations: [Violation]
    /// As ``LedgerStore/staleTasks(now:olderThan:)`` returns them at the report's `now`.
    package var stale: [StaleTask]
    package var transitions: [Transition]
    /// `task_events` rows (within the window).
    package var events: Int
    /// Distinct tasks among them.
    package var tasks: Int
    /// `import_rejects` rows (within the window).
    package var rejects: Int
    /// Tasks whose snapshot is not terminal.
    package var open: Int
    /// Of those, the ones first seen mid-lifecycle (``Snapshot/partial``).
    package var openPartial: Int

    package init(
        violations: [Violation], stale: [StaleTask], transitions: [Transition],
        events: Int, tasks: Int, rejects: Int, open: Int, openPartial: Int = 0
    ) {
        self.openPartial = openPartial
        self.events = events
        self.tasks = tasks
        self.violations = violations
        self.stale = stale
        self.transitions = transitions
        self.rejects = rejects
        self.open = open
    }
}

/// Gives each outcome its task's event count by merging two streams sorted by task bytewise:
/// the outcomes and the `(task, count)` rows of a `GROUP BY task` over `task_events` (within the
/// window). Neither is held in memory, so a full report of a ledger with millions of tasks
/// keeps no per-task table; the totals (``events``, ``tasks``) are summed on the way.
package struct EventCountMerge {
    /// The next `(task, count)` row, nil at the end.
    private let next: () throws -> (task: String, count: Int)?
    private var pending: (task: String, count: Int)?
    /// The task of the last row read, to check the order.
    private var last: String?
    /// Rows counted so far (all of them after ``finish()``).
    package private(set) var events = 0
    /// Tasks counted so far.
    package private(set) var tasks = 0
    private let location: String

    package init(location: String, next: @escaping () throws -> (task: String, count: Int)?) {
        self.location = location
        self.next = next
    }

    /// The count of `task`, which must not precede (bytewise) the task of the previous call.
    package mutating func count(of task: String) throws -> Int {
        while let row = try peek(), Bytewise.less(row.task, task) { pending = nil }
        // The row left pending is the first at or after `task`: its count if it is `task`'s.
        guard let row = pending, row.task.utf8.elementsEqual(task.utf8) else { return 0 }
        pending = nil
        return row.count
    }

    /// Reads the rows after the last outcome's task, so that ``events`` and ``tasks`` count them.
    package mutating func finish() throws {
        while try peek() != nil { pending = nil }
    }

    private mutating func peek() throws -> (task: String, count: Int)? {
        if let pending { return pending }
        guard let row = try next() else { return nil }
        if let previous = last, !Bytewise.less(previous, row.task) {
            throw LedgerError.database(
                path: location,
                message: "report: task_events counts arrived out of task order (\(previous) before \(row.task))")
        }
        last = row.task
        events += row.count
        tasks += 1
        pending = row
        return row
    }
}
