/// The one place a transition is judged: (snapshot, event) → verdict, in the order of SPEC §4.
///
/// Parse failures are decided before an event exists; everything after is decided by
/// ``StateTable/judge(to:timestamp:hasSnapshot:from:lastTimestamp:isDuplicate:)``, for live
/// writes and imports alike (this string form maps onto it).
extension Rules {
    /// The verdict for an event whose state normalises to `canonical` (nil if unknown), arriving
    /// at `timestamp` for a task whose snapshot is `snapshot` (nil before its first applied event).
    public func judge(
        canonical: String?, timestamp: Int64, snapshot: Snapshot?, isDuplicate: Bool
    ) -> Verdict {
        stateTable.judge(
            to: canonical.flatMap(stateTable.number(ofCanonical:)), timestamp: timestamp,
            hasSnapshot: snapshot != nil, from: snapshot.flatMap { stateTable.number(ofCanonical: $0.state) },
            lastTimestamp: snapshot?.lastTimestamp ?? 0, isDuplicate: isDuplicate)
    }
}
