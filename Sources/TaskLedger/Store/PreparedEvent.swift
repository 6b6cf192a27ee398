/// An event with everything judging and storing it needs that does not depend on the ledger:
/// its state number in the rules, the state text to store, its content key and dedupe key.
///
/// The importer prepares events on its reading thread, so that the writing thread — the one
/// that waits on SQLite — only looks up the snapshot, judges and binds. A class: the writer
/// moves it through a batch array, a queue of pending rows and a switch, and one reference
/// copies cheaper than nine strings.
final class PreparedEvent: Sendable {
    let event: StatusEvent
    /// The canonical state's number in the rules' ``StateTable``; nil if the state is unknown.
    let state: Int?
    /// What `task_events.state` holds: the canonical state, or the raw string if unknown.
    let storedState: String
    let contentKey: Int64
    let dedupeKey: DedupeFilter.Key
    /// False if `seen` (a filter of every earlier event of this import) certainly lacks the
    /// dedupe key: when the import started on an empty ledger, the event is then certainly new.
    let maybeSeen: Bool

    /// `seen`, if given, is asked about the dedupe key and then given it.
    init(_ event: StatusEvent, rules: Rules, seen: DedupeFilter? = nil) {
        self.event = event
        let table = rules.stateTable
        state = table.number(of: event.state)
        storedState = state.map { table.names[$0] } ?? event.state
        contentKey = event.contentKey(state: storedState)
        let key = event.id.map(DedupeFilter.Key.id) ?? .content(contentKey)
        dedupeKey = key
        if let seen {
            maybeSeen = seen.mayContain(key)
            seen.add(key)
        } else {
            maybeSeen = true
        }
    }
}
