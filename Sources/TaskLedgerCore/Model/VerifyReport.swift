/// What `verify` found: snapshots that differ from the ones rebuilt from history, and
/// histories that break the ledger's invariants.
public struct VerifyReport: Sendable, Equatable {
    /// A task whose stored snapshot differs from the one rebuilt from `task_events`.
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        /// The task whose snapshots differ.
        public var task: String
        /// Rebuilt from history; nil if history has no applied event for the task.
        public var rebuilt: Snapshot?
        /// As stored in `task_state_snapshot`; nil if there is no row.
        public var stored: Snapshot?

        /// One line for people: the task, then both snapshots' fields.
        public var description: String {
            func show(_ s: Snapshot?) -> String {
                guard let s else { return "none" }
                return "\(s.state) first=\(s.firstTimestamp) last=\(s.lastTimestamp) terminal=\(s.terminalTimestamp.map(String.init) ?? "-") stage='\(s.stage)' actor='\(s.actor)' source='\(s.source)'"
            }
            return "task '\(task)': stored \(show(stored)), rebuilt \(show(rebuilt))"
        }

        package init(task: String, rebuilt: Snapshot? = nil, stored: Snapshot? = nil) {
            self.task = task
            self.rebuilt = rebuilt
            self.stored = stored
        }
    }

    /// `task_events` rows replayed.
    public var events: Int
    /// Tasks seen, in history or in the stored snapshots.
    public var tasks: Int
    /// Tasks whose stored snapshot is not the one history rebuilds, by task (bytewise).
    public var differences: [Difference]
    /// Invariant breaks in history, e.g. two applied terminal events for one task.
    public var problems: [String]

    /// Whether the ledger is consistent: no difference and no problem (`verify` exits 0).
    public var isClean: Bool { differences.isEmpty && problems.isEmpty }

    package init(events: Int, tasks: Int, differences: [Difference], problems: [String]) {
        self.events = events
        self.tasks = tasks
        self.differences = differences
        self.problems = problems
    }
}
