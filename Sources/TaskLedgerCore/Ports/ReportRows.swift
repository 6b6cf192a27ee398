/// The port a store hands report rows through: everything a report says, read in one
/// transaction, before any of it is sorted, counted or worded (the report target does that,
/// once for every store).
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

        package init(
            task: String, state: String, firstTimestamp: Int64, terminalTimestamp: Int64, actor: String,
            source: String, stage: String, partial: Bool = false
        ) {
            self.partial = partial
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

    package var outcomes: [Outcome]
    package var violations: [Violation]
    /// As ``LedgerStore/staleTasks(now:olderThan:)`` returns them at the report's `now`.
    package var stale: [StaleTask]
    package var transitions: [Transition]
    /// `task_events` rows per task (within the window).
    package var eventsPerTask: [String: Int]
    /// `import_rejects` rows (within the window).
    package var rejects: Int
    /// Tasks whose snapshot is not terminal.
    package var open: Int
    /// Of those, the ones first seen mid-lifecycle (``Snapshot/partial``).
    package var openPartial: Int

    package init(
        outcomes: [Outcome], violations: [Violation], stale: [StaleTask], transitions: [Transition],
        eventsPerTask: [String: Int], rejects: Int, open: Int, openPartial: Int = 0
    ) {
        self.openPartial = openPartial
        self.outcomes = outcomes
        self.violations = violations
        self.stale = stale
        self.transitions = transitions
        self.eventsPerTask = eventsPerTask
        self.rejects = rejects
        self.open = open
    }
}
