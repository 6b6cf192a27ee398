import TaskLedgerCore

/// Short texts for people explaining why a stored event was refused; rejected lines carry
/// the message the importer stored with them.
package enum ViolationMessage {
    package static func text(kind: Verdict, from: String?, to: String, lastTimestamp: Int64?) -> String {
        switch kind {
        case .unknownState:
            "state '\(to)' is not in the rules"
        case .afterTerminal:
            "task already \(from ?? "terminal")"
        case .illegalTransition:
            from.map { "\($0) → \(to) is not allowed" } ?? "\(to) is not an initial state"
        case .outOfOrder:
            lastTimestamp.map { "ts earlier than last_ts \(Timestamp.format($0))" } ?? "ts earlier than last_ts"
        default:
            kind.rawValue
        }
    }
}
