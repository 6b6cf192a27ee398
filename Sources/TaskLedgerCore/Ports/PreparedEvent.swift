/// An event with everything judging and storing it needs that does not depend on the ledger:
/// its state number in the rules, the state text to store, its content key and dedupe key.
///
/// The importer prepares events on its reading thread, so that the writing thread — the one
/// that waits on SQLite — only looks up the snapshot, judges and binds. A class: the writer
/// moves it through a batch array, a queue of pending rows and a switch, and one reference
/// copies cheaper than nine strings.
///
/// The text columns are also kept as UTF-8 back to back (``text(_:)``), so that the writer binds
/// them where they are instead of copying each value for SQLite.
package final class PreparedEvent: @unchecked Sendable {
    // @unchecked: `packed` is written only by init and freed by deinit.
    package let event: StatusEvent
    /// The canonical state's number in the rules' ``StateTable``; nil if the state is unknown.
    package let state: Int?
    /// What `task_events.state` holds: the canonical state, or the raw string if unknown.
    package let storedState: String
    package let contentKey: Int64
    package let dedupeKey: DedupeFilter.Key
    /// False if `seen` (the ledger's dedupe keys and those of every earlier event of this
    /// import, see ``SnapshotCache/start(_:loadingKeys:filterLimit:)``) certainly lacks the
    /// dedupe key: the event is then certainly new, while nobody else writes.
    package let maybeSeen: Bool

    /// The text columns of `task_events` an event provides, in the order they are packed.
    package enum Column: Int, CaseIterable {
        case task, storedState, id, actor, source, stage, detail, attrs
    }

    /// Per column (offset, length; -1: NULL) as Int32 pairs, then the columns' UTF-8.
    private let packed: UnsafeMutableRawPointer
    private static let header = Column.allCases.count * 8

    /// A column's UTF-8 bytes (never a nil pointer, even for ""), or nil for NULL: valid as long
    /// as this event is.
    package func text(_ column: Column) -> (bytes: UnsafePointer<CChar>, count: Int32)? {
        let count = packed.load(fromByteOffset: column.rawValue * 8 + 4, as: Int32.self)
        guard count >= 0 else { return nil }
        let offset = Int(packed.load(fromByteOffset: column.rawValue * 8, as: Int32.self))
        return (UnsafePointer((packed + offset).assumingMemoryBound(to: CChar.self)), count)
    }

    deinit { packed.deallocate() }

    /// `seen`, if given, is asked about the dedupe key and then given it.
    package init(_ event: StatusEvent, rules: Rules, seen: DedupeFilter? = nil) {
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
        var size = PreparedEvent.header + event.task.utf8.count + storedState.utf8.count + (event.id?.utf8.count ?? 0)
        size += event.actor.utf8.count + event.source.utf8.count + event.stage.utf8.count + event.detail.utf8.count
        size += event.attrs?.utf8.count ?? 0
        let base = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        var offset = PreparedEvent.header
        func put(_ value: String?, _ column: Column) {
            let slot = column.rawValue * 8
            base.storeBytes(of: Int32(offset), toByteOffset: slot, as: Int32.self)
            guard let value else {
                base.storeBytes(of: Int32(-1), toByteOffset: slot + 4, as: Int32.self)
                return
            }
            let start = offset
            let count = value.utf8.count
            // withUTF8 also serves small (inline) strings, without a byte-by-byte loop.
            var text = value
            text.withUTF8 { bytes in
                if let source = bytes.baseAddress { (base + start).copyMemory(from: source, byteCount: bytes.count) }
            }
            base.storeBytes(of: Int32(count), toByteOffset: slot + 4, as: Int32.self)
            offset += count
        }
        put(event.task, .task)
        put(storedState, .storedState)
        put(event.id, .id)
        put(event.actor, .actor)
        put(event.source, .source)
        put(event.stage, .stage)
        put(event.detail, .detail)
        put(event.attrs, .attrs)
        packed = base
    }
}
