import GRDB

/// What `verify` found: snapshots that differ from the ones rebuilt from history, and
/// histories that break the ledger's invariants.
public struct VerifyReport: Sendable, Equatable {
    /// A task whose stored snapshot differs from the one rebuilt from `task_events`.
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        public var task: String
        /// Rebuilt from history; nil if history has no applied event for the task.
        public var rebuilt: Snapshot?
        /// As stored in `task_state_snapshot`; nil if there is no row.
        public var stored: Snapshot?

        public var description: String {
            func show(_ s: Snapshot?) -> String {
                guard let s else { return "none" }
                return "\(s.state) first=\(s.firstTimestamp) last=\(s.lastTimestamp) terminal=\(s.terminalTimestamp.map(String.init) ?? "-") stage='\(s.stage)' actor='\(s.actor)' source='\(s.source)'"
            }
            return "task '\(task)': stored \(show(stored)), rebuilt \(show(rebuilt))"
        }
    }

    public var events: Int
    public var tasks: Int
    public var differences: [Difference]
    /// Invariant breaks in history, e.g. two applied terminal events for one task.
    public var problems: [String]

    public var isClean: Bool { differences.isEmpty && problems.isEmpty }
}

extension Ledger {
    /// Rebuilds every snapshot from `task_events` (replaying the stored verdicts in arrival
    /// order) and compares with `task_state_snapshot`. Reads one consistent snapshot of the ledger.
    public func verify() throws -> VerifyReport {
        try read { db in
            var rebuild = SnapshotRebuild(rules: rules)
            let rows = try Row.fetchCursor(db, sql: """
                SELECT seq, task, state, verdict, ts, actor, source, stage FROM task_events ORDER BY seq
                """)
            while let row = try rows.next() {
                rebuild.replay(seq: row[0], task: row[1], state: row[2], verdict: row[3], timestamp: row[4],
                               actor: row[5], source: row[6], stage: row[7])
            }
            var stored: [String: Snapshot] = [:]
            let snapshotRows = try Row.fetchCursor(db, sql: """
                SELECT task, state, stage, actor, source, first_ts, last_ts, terminal_ts FROM task_state_snapshot
                """)
            while let row = try snapshotRows.next() {
                let s = Snapshot(row: row)
                stored[s.task] = s
            }
            return rebuild.report(stored: stored)
        }
    }
}
