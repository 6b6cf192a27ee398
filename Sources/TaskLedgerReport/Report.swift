import TaskLedgerCore

/// Everything a report says about one ledger at one `now`, read in one transaction:
/// the rows of the three CSV files, the summary counts and the observed transitions.
///
/// Build it with ``Ledger/report(_:)``; render it with ``csv(_:)``, ``summaryJSON``,
/// ``markdown``, or write every file with ``write(to:)``.
public struct Report: Sendable, Equatable {
    /// A task in a terminal state: one row of `outcomes.csv`.
    public struct Outcome: Sendable, Equatable {
        /// The task (`task`).
        public var task: String
        /// Its terminal state (`state`).
        public var state: String
        /// Earliest applied ts, epoch ms (`first_ts`).
        public var firstTimestamp: Int64
        /// Ts of the terminal event, epoch ms (`terminal_ts`).
        public var terminalTimestamp: Int64
        /// The task's rows in `task_events` (every verdict; within the window, if any).
        public var events: Int
        /// The terminal event's actor (`actor`).
        public var actor: String
        /// The terminal event's source (`source`).
        public var source: String
        /// The terminal event's stage (`stage`).
        public var stage: String
        /// First seen mid-lifecycle (`partial`): its earlier events are outside the ledger.
        public var partial: Bool

        /// terminal_ts − first_ts, in ms; nil for a partial task, whose start is unknown.
        public var duration: Int64? { partial ? nil : terminalTimestamp - firstTimestamp }
    }

    /// A refused event or a rejected line: one row of `violations.csv`.
    public struct Violation: Sendable, Equatable {
        /// As given on the command line; empty for live writes.
        public var file: String
        /// 1-based line in `file`; nil for live writes.
        public var line: Int?
        /// The task, when the line named one validly.
        public var task: String?
        /// The verdict: never ``Verdict/applied``.
        public var kind: Verdict
        /// The task's snapshot state before the line; nil if none.
        public var fromState: String?
        /// Canonical state, or the raw string for `unknown_state`.
        public var toState: String?
        /// The event's ts in epoch ms, when the line had a valid one.
        public var timestamp: Int64?
        /// The producer's event id, when the line had a valid one.
        public var eventID: String?
        /// Free text for people.
        public var message: String
        /// A rejected line as read (invalid UTF-8 replaced); nil for a refused event, which the
        /// ledger keeps as its fields rather than as its line.
        public var raw: String?
    }

    /// Observed transitions `from → to` in `task_events` (from nil = the task's first event).
    public struct Transition: Sendable, Equatable {
        /// The state before; nil for a task's first event.
        public var from: String?
        /// The state after (canonical, or raw for `unknown_state`).
        public var to: String
        /// Whether the ledger applied them (`applied` or `out_of_order`).
        public var applied: Bool
        /// How many events made this transition.
        public var count: Int
    }

    /// The options the report was made with.
    public var options: ReportOptions
    /// The ledger as named to the store: the SQLite path as given, or the PostgreSQL URL without its password.
    public var ledgerPath: String
    /// The rules' canonical states; any other state in `task_events` is an unknown state.
    public var knownStates: [String]
    /// Terminal states in rules order (states the rules no longer know follow, bytewise).
    public var terminalStates: [String]
    /// Sorted by task, bytewise.
    public var outcomes: [Outcome] {
        didSet { tally = OutcomeTally(outcomes) }
    }
    /// What every file but `outcomes.csv` says about the outcomes: counts and durations per
    /// state. Kept up to date with ``outcomes``; a report written as it is read
    /// (``ReportWriter``) has the tally of every outcome and no outcome rows.
    package private(set) var tally: OutcomeTally
    /// Sorted by file (bytewise), then line; live writes first, in arrival order.
    public var violations: [Violation]
    /// Sorted by age descending, then task bytewise.
    public var stale: [StaleTask]
    /// Sorted by from (start first), to, applied first; all bytewise.
    public var transitions: [Transition]
    /// `task_events` rows counted.
    public var events: Int
    /// Distinct tasks among the counted `task_events` rows.
    public var tasks: Int
    /// `import_rejects` rows counted (parse failures and duplicates).
    public var rejects: Int
    /// Tasks whose snapshot is not terminal.
    public var open: Int
    /// Of the ``open`` tasks, those first seen mid-lifecycle.
    public var openPartial: Int

    /// Tasks first seen mid-lifecycle: terminal ones (among ``outcomes``) and open ones.
    public var partialCounts: (terminal: Int, open: Int) {
        (tally.partial, openPartial)
    }

    /// Every judged non-blank line: counted `task_events` rows plus counted `import_rejects` rows.
    public var lines: Int { events + rejects }

    /// Violation count for every kind (every verdict but `applied`), zeros included.
    public var violationCounts: [Verdict: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Verdict.allCases.filter(\.isViolation).map { ($0, 0) })
        for violation in violations { counts[violation.kind, default: 0] += 1 }
        return counts
    }

    /// Whether any violation of one of `kinds` exists: what `--fail-on` checks.
    public func hasViolations(of kinds: Set<Verdict>) -> Bool {
        violations.contains { kinds.contains($0.kind) }
    }

    /// Whether any violation exists at all: `--fail-on any`.
    public var hasViolations: Bool { !violations.isEmpty }

    /// Terminal tasks per terminal state, in ``terminalStates`` order, zeros included.
    public var terminalCounts: [(state: String, count: Int)] {
        terminalStates.map { ($0, tally.perState[$0] ?? 0) }
    }

    /// `SUCCEEDED` tasks / terminal tasks, nil when no task is terminal.
    public var successRate: (succeeded: Int, terminal: Int)? {
        tally.count == 0 ? nil : (tally.perState["SUCCEEDED"] ?? 0, tally.count)
    }

    /// Nearest-rank p50/p90/p99 of the durations (ms) of each terminal state, in
    /// ``terminalStates`` order; nil percentiles for a state with no task. Partial tasks have
    /// no duration: they are neither counted nor measured here.
    public var durationPercentiles: [(state: String, count: Int, percentiles: Percentiles?)] {
        terminalStates.map { state in
            let durations = tally.durations[state] ?? []
            return (state, durations.count, Percentiles(durations))
        }
    }
}

/// Counts and durations of outcomes per state, added one outcome at a time: what the summary,
/// Markdown, JUnit and HTML files say about outcomes, without the rows themselves.
package struct OutcomeTally: Sendable, Equatable {
    /// Terminal tasks.
    package private(set) var count = 0
    /// Of them, those first seen mid-lifecycle.
    package private(set) var partial = 0
    /// Terminal tasks per terminal state.
    package private(set) var perState: [String: Int] = [:]
    /// Durations (ms) per terminal state in the order added; partial tasks have none.
    package private(set) var durations: [String: [Int64]] = [:]

    package init() {}

    package init(_ outcomes: [Report.Outcome]) {
        for outcome in outcomes { add(outcome) }
    }

    package mutating func add(_ outcome: Report.Outcome) {
        count += 1
        if outcome.partial { partial += 1 }
        perState[outcome.state, default: 0] += 1
        if let duration = outcome.duration { durations[outcome.state, default: []].append(duration) }
    }
}

/// p50, p90 and p99 of a list of durations in ms, by the nearest-rank method: the value at
/// 1-based rank ⌈p/100 · n⌉ of the sorted list, so every percentile is an observed duration.
public struct Percentiles: Sendable, Equatable {
    /// The median duration, in ms.
    public var p50: Int64
    /// The duration 90 % of tasks finished within, in ms.
    public var p90: Int64
    /// The duration 99 % of tasks finished within, in ms.
    public var p99: Int64

    /// Nil for an empty list.
    package init?(_ values: [Int64]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ p: Int) -> Int64 { sorted[max(1, (p * sorted.count + 99) / 100) - 1] }
        p50 = rank(50)
        p90 = rank(90)
        p99 = rank(99)
    }
}

extension Report {
    /// The report of what a store read (``ReportRows``) and of `outcomes` (their rows, or
    /// only their tally when the rows were written as they were read), with the parts every
    /// store derives the same way: the state lists from `rules` (terminal states the rules no
    /// longer know but outcomes show follow, bytewise), the messages of refused events and the
    /// order of transitions.
    package init(
        rows: ReportRows, outcomes: [Outcome], tally: OutcomeTally, options: ReportOptions, ledgerPath: String,
        rules: Rules
    ) {
        let observedTerminal = Set(tally.perState.keys).subtracting(rules.terminalStates)
        self.options = options
        self.ledgerPath = ledgerPath
        knownStates = rules.states
        terminalStates = rules.terminalStates + observedTerminal.sorted(by: Bytewise.less)
        self.outcomes = outcomes
        self.tally = tally
        violations = rows.violations.map { v in
            Violation(
                file: v.file, line: v.line, task: v.task, kind: v.kind, fromState: v.fromState, toState: v.toState,
                timestamp: v.timestamp, eventID: v.eventID,
                message: v.message ?? ViolationMessage.text(
                    kind: v.kind, from: v.fromState, to: v.toState ?? "", lastTimestamp: v.lastTimestamp),
                raw: v.raw)
        }
        stale = rows.stale
        transitions = rows.transitions.map { Transition(from: $0.from, to: $0.to, applied: $0.applied, count: $0.count) }
            .sorted(by: Transition.precedes)
        events = rows.events
        tasks = rows.tasks
        rejects = rows.rejects
        open = rows.open
        openPartial = rows.openPartial
    }
}

extension Report.Outcome {
    /// The row a store read.
    package init(_ o: ReportRows.Outcome) {
        self.init(
            task: o.task, state: o.state, firstTimestamp: o.firstTimestamp, terminalTimestamp: o.terminalTimestamp,
            events: o.events, actor: o.actor, source: o.source, stage: o.stage, partial: o.partial)
    }
}
