/// Rebuilds snapshots by replaying stored verdicts in arrival order: what `verify` compares
/// with the stored snapshots, whichever store read the rows.
///
/// Two ways to feed it, with the same report: every row in `seq` order, then
/// ``settle(task:stored:)`` with every stored snapshot (memory holds every task's rebuilt
/// snapshot); or task by task — each task's rows in `seq` order, then ``settle(task:stored:)``
/// with its stored snapshot — so that memory holds one task's (what the stores do when they
/// can; an 8-night ledger of 800k tasks took 838 MB the first way). Then ``report()``.
package struct SnapshotRebuild {
    package let rules: Rules
    private(set) var rebuilt: [String: Snapshot] = [:]
    /// Problems with the seq of the row they are about, so that a report fed task by task
    /// lists them in the order of a report fed in seq order.
    private var problems: [(seq: Int64, text: String)] = []
    private(set) var events = 0
    /// Tasks already compared by ``settle(task:stored:)``, and the differences found.
    private var settledTasks = 0
    private var settledDifferences: [VerifyReport.Difference] = []

    package init(rules: Rules) { self.rules = rules }

    /// Replays one `task_events` row; a task's rows must come in `seq` order.
    package mutating func replay(seq: Int64, task: String, state: String, verdict text: String, timestamp: Int64,
                         actor: String, source: String, stage: String) {
        events += 1
        guard let verdict = Verdict(rawValue: text) else {
            problems.append((seq, "event \(seq) of task '\(task)' has unknown verdict '\(text)'"))
            return
        }
        guard verdict.changesSnapshot else { return }
        let event = StatusEvent(task: task, state: state, timestamp: timestamp, actor: actor, source: source, stage: stage)
        let terminal = rules.isTerminal(state)
        if let current = rebuilt[task] {
            if current.terminalTimestamp != nil, !rules.allows(from: current.state, to: state) {
                problems.append((seq, "event \(seq): task '\(task)' was applied after its terminal event"))
            }
            rebuilt[task] = current.applying(event, state: state, terminal: terminal)
        } else {
            rebuilt[task] = Snapshot.first(event, state: state, terminal: terminal, partial: rules.isPartialStart(state))
        }
    }

    /// Compares what the rows replayed of `task` rebuilt with its stored snapshot (nil: none)
    /// and forgets it: call once per task, after its last row, with no row of it after.
    package mutating func settle(task: String, stored: Snapshot?) {
        let snapshot = rebuilt.removeValue(forKey: task)
        guard snapshot != nil || stored != nil else { return }
        settledTasks += 1
        if snapshot != stored {
            settledDifferences.append(.init(task: task, rebuilt: snapshot, stored: stored))
        }
    }

    /// The differences ``settle(task:stored:)`` found, and the rebuilt snapshots of tasks never
    /// settled (they have no stored one), by task (bytewise); problems in seq order.
    package func report() -> VerifyReport {
        var differences = settledDifferences
        for (task, snapshot) in rebuilt {
            differences.append(.init(task: task, rebuilt: snapshot, stored: nil))
        }
        differences.sort { $0.task.utf8.lexicographicallyPrecedes($1.task.utf8) }
        // A stable sort: a row's problems keep the order replay found them in.
        let ordered = problems.enumerated().sorted { ($0.element.seq, $0.offset) < ($1.element.seq, $1.offset) }
        return VerifyReport(events: events, tasks: rebuilt.count + settledTasks, differences: differences,
                            problems: ordered.map(\.element.text))
    }
}
