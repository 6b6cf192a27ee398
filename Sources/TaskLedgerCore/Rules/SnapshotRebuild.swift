/// Rebuilds snapshots by replaying stored verdicts in arrival order: what `verify` compares
/// with the stored snapshots, whichever store read the rows.
package struct SnapshotRebuild {
    package let rules: Rules
    private(set) var rebuilt: [String: Snapshot] = [:]
    private(set) var problems: [String] = []
    private(set) var events = 0

    package init(rules: Rules) { self.rules = rules }

    /// Replays one `task_events` row; rows must come in `seq` order.
    package mutating func replay(seq: Int64, task: String, state: String, verdict text: String, timestamp: Int64,
                         actor: String, source: String, stage: String) {
        events += 1
        guard let verdict = Verdict(rawValue: text) else {
            problems.append("event \(seq) of task '\(task)' has unknown verdict '\(text)'")
            return
        }
        guard verdict.changesSnapshot else { return }
        let event = StatusEvent(task: task, state: state, timestamp: timestamp, actor: actor, source: source, stage: stage)
        let terminal = rules.isTerminal(state)
        if let current = rebuilt[task] {
            if current.terminalTimestamp != nil, !rules.allows(from: current.state, to: state) {
                problems.append("event \(seq): task '\(task)' was applied after its terminal event")
            }
            rebuilt[task] = current.applying(event, state: state, terminal: terminal)
        } else {
            rebuilt[task] = Snapshot.first(event, state: state, terminal: terminal, partial: rules.isPartialStart(state))
        }
    }

    /// The differences between the rebuilt snapshots and `stored`, by task (bytewise).
    package func report(stored: [String: Snapshot]) -> VerifyReport {
        let tasks = Set(rebuilt.keys).union(stored.keys)
        var differences: [VerifyReport.Difference] = []
        for task in tasks.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        where rebuilt[task] != stored[task] {
            differences.append(.init(task: task, rebuilt: rebuilt[task], stored: stored[task]))
        }
        return VerifyReport(events: events, tasks: tasks.count, differences: differences, problems: problems)
    }
}
