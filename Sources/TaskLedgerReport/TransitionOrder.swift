import TaskLedgerCore

extension Report.Transition {
    /// The report's order of transitions: by from (a task's start first), to, applied first; bytewise.
    package static func precedes(_ a: Report.Transition, _ b: Report.Transition) -> Bool {
        if a.from != b.from {
            guard let af = a.from else { return true }
            guard let bf = b.from else { return false }
            return Bytewise.less(af, bf)
        }
        if a.to != b.to { return Bytewise.less(a.to, b.to) }
        return a.applied && !b.applied
    }
}
