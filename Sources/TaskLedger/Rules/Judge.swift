/// The one place a transition is judged: (snapshot, event) → verdict, in the order of SPEC §4.
///
/// Parse failures are decided before an event exists; everything after is decided here, for
/// live writes and imports alike.
extension Rules {
    /// The verdict for an event whose state normalises to `canonical` (nil if unknown), arriving
    /// at `timestamp` for a task whose snapshot is `snapshot` (nil before its first applied event).
    public func judge(
        canonical: String?, timestamp: Int64, snapshot: Snapshot?, isDuplicate: Bool
    ) -> Verdict {
        if isDuplicate { return .duplicate }
        guard let state = canonical else { return .unknownState }
        guard let current = snapshot else {
            return initial.contains(state) ? .applied : .illegalTransition
        }
        if isTerminal(current.state) { return .afterTerminal }
        guard allows(from: current.state, to: state) else { return .illegalTransition }
        return timestamp < current.lastTimestamp ? .outOfOrder : .applied
    }
}
