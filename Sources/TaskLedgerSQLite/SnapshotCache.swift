import GRDB
import TaskLedgerCore

/// Snapshots read or changed by the write path, so that a task's snapshot is read from SQLite
/// once per import rather than once per line.
///
/// A cache is only valid while no other connection has committed: ``validate(_:)`` compares
/// SQLite's `PRAGMA data_version` (which changes when another connection commits) with the value
/// after our own last commit, and forgets everything when they differ. Call it at the start of
/// each write transaction, once the write lock is held.
package final class SnapshotCache {
    /// Tasks looked up: their snapshot (nil: none) and, once known, their key in `task_keys`.
    private var entries: [String: Entry] = [:]

    private struct Entry {
        var snapshot: CachedSnapshot?
        var key: Int64?
    }
    /// Changed since the last ``takeDirty()``, each once.
    private var dirty: [CachedSnapshot] = []
    private var dataVersion: Int64?
    /// Whether events' ``PreparedEvent/maybeSeen`` may be believed: ``start(_:)`` filled the
    /// reader's filter with every dedupe key in the ledger, the reader adds every event's, and
    /// nobody else has committed since. Otherwise every event's dedupe key is looked up.
    private(set) var believesMaybeSeen = false
    /// Ledgers with more events get no dedupe filter: loading their keys would cost more than
    /// the lookups it saves, and the filter's false positives would climb (16 MiB above 4M
    /// events, ``DedupeFilter/bits(forKeys:)``: about 0.2% for 9M keys, 3% for 17M; a false
    /// positive costs one probe of the id tables, as every line costs without the filter).
    /// Rebuilding reads `event_ids` in key order, a sequential pass (v6: the filter the last
    /// import ended with is loaded instead, ``StoredFilter``); night 8 of bench/nightly (7M keys) imported in 26.2 s with the filter,
    /// 29.0 s without.
    package static let filterLimit: Int64 = 16_000_000
    /// Bound on cached tasks, to keep memory flat on streams with millions of tasks.
    package let capacity: Int

    /// Enough for a 1M-line stream of ~100k tasks; a stream with more tasks evicts, so that
    /// peak memory stays flat (measured: 142 MB for 1M lines, 141.5 MB for 3M with 300k tasks;
    /// 191 MB for 3M with a 500k-task bound).
    package static let defaultCapacity = 150_000

    package init(capacity: Int = SnapshotCache.defaultCapacity) {
        self.capacity = capacity
    }

    /// True while every snapshot in the ledger is in ``entries``: the import started on an empty
    /// ledger, nobody else has committed and nothing was evicted. A task not cached then has none.
    private var holdsEveryTask = false

    /// Starts an import, in a write transaction of the connection that will write it, before its
    /// reader starts: an empty ledger makes the cache complete; a ledger of up to
    /// ``filterLimit`` events gets a dedupe filter holding all their keys, for the reader to
    /// continue (returned; nil for a larger ledger, or without `loadingKeys`). Both hold until
    /// another connection commits. A resumed import passes `loadingKeys: false`: it usually has
    /// a few new lines or none (re-running a nightly import), not worth loading every key for.
    ///
    /// The filter is sized for the ledger's keys and `expectedLines` more
    /// (``DedupeFilter/bits(forKeys:lines:)``); a stored one at least that big, and no bigger
    /// than the ledger's size without `expectedLines`, is loaded instead of rebuilt.
    package func start(
        _ db: Database, loadingKeys: Bool = true, filterLimit: Int64 = SnapshotCache.filterLimit, expectedLines: Int64? = nil
    ) throws -> DedupeFilter? {
        holdsEveryTask = try SnapshotCache.isEmpty(db)
        let events = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM task_events") ?? 0
        var filter: DedupeFilter?
        if events == 0 || (loadingKeys && events <= filterLimit) {
            let bits = DedupeFilter.bits(forKeys: events, lines: expectedLines)
            filter = try StoredFilter.load(db, bits: bits...DedupeFilter.bits(forKeys: events), lastSeq: events)
                ?? Self.rebuiltFilter(db, bits: bits, events: events)
        }
        believesMaybeSeen = filter != nil
        try commit(db)
        return filter
    }

    /// A filter of every dedupe key in the ledger, read from the dedupe tables (v7: the keys of
    /// rows without an id too).
    private static func rebuiltFilter(_ db: Database, bits: Int, events: Int64) throws -> DedupeFilter {
        let keys = DedupeFilter(bits: bits)
        if events > 0 {
            let pairs = BoundStatement(try db.cachedStatement(sql: "SELECT id_key FROM (\(Schema.allIDPairs))"), in: db)
            _ = try pairs.firstMatch { row in
                keys.add(DedupeFilter.Key(stored: row.int64(0)))
                return false
            }
        }
        return keys
    }

    /// Forgets the cache — and stops believing the dedupe filter — if another connection
    /// committed since ``commit(_:)``. Call at the start of each write transaction.
    package func validate(_ db: Database) throws {
        let version = try Int64.fetchOne(db, sql: "PRAGMA data_version")
        if version != dataVersion || entries.count > capacity {
            entries.removeAll(keepingCapacity: true)
            holdsEveryTask = false
        }
        if version != dataVersion { believesMaybeSeen = false }
        for snapshot in dirty { snapshot.isDirty = false }
        dirty.removeAll(keepingCapacity: true)
    }

    /// Whether the ledger holds no event, no snapshot and no task key.
    package static func isEmpty(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT NOT EXISTS (SELECT 1 FROM task_events) AND NOT EXISTS (SELECT 1 FROM task_state_snapshot)
                AND NOT EXISTS (SELECT 1 FROM task_keys)
            """) ?? false
    }

    /// Records the data version after our own writes, just before commit.
    package func commit(_ db: Database) throws {
        dataVersion = try Int64.fetchOne(db, sql: "PRAGMA data_version")
    }

    /// The cached snapshot: nil if not cached, `.some(nil)` if known to have none.
    package func lookup(_ task: String) -> CachedSnapshot?? {
        if let entry = entries[task] { return .some(entry.snapshot) }
        return holdsEveryTask ? .some(nil) : nil
    }

    /// Caches what the ledger holds for `task` (nil: no snapshot).
    package func store(_ task: String, _ snapshot: CachedSnapshot?) { entries[task, default: Entry()].snapshot = snapshot }

    /// Caches the first snapshot of a task, to be written back.
    package func insert(_ snapshot: CachedSnapshot) {
        entries[snapshot.value.task, default: Entry()].snapshot = snapshot
        markDirty(snapshot)
    }

    /// The task's key in `task_keys`: nil if not known, `.some(nil)` if the ledger has none.
    /// Known for every task looked up through ``EventRecorder/snapshot(_:)``.
    package func key(of task: String) -> Int64?? {
        // An entry's key is looked up with its snapshot (EventRecorder.snapshot), so a cached
        // task without one has none.
        if let entry = entries[task] { return .some(entry.key) }
        return holdsEveryTask ? .some(nil) : nil
    }

    /// Caches the key of a task already looked up (``lookup(_:)``): an entry made here says the
    /// task has no snapshot, which holds only because that lookup came first.
    package func storeKey(_ task: String, _ key: Int64) { entries[task, default: Entry()].key = key }

    /// `snapshot` (cached) was changed in place and must be written back.
    package func markDirty(_ snapshot: CachedSnapshot) {
        guard !snapshot.isDirty else { return }
        snapshot.isDirty = true
        dirty.append(snapshot)
    }

    /// Snapshots changed since the last call, to be written back.
    package func takeDirty() -> [CachedSnapshot] {
        defer { dirty.removeAll(keepingCapacity: true) }
        for snapshot in dirty { snapshot.isDirty = false }
        return dirty
    }
}

/// A task's snapshot as the write path keeps it: changed in place (one dictionary lookup per
/// event), with its state's number in the rules.
package final class CachedSnapshot {
    package var value: Snapshot
    /// `value.state`'s number in the rules' ``StateTable``; nil for a state they do not list.
    package var state: Int?
    /// The task's key in `task_keys`, the snapshot row's key.
    package let key: Int64
    fileprivate(set) var isDirty = false

    package init(_ value: Snapshot, state: Int?, key: Int64) {
        self.value = value
        self.state = state
        self.key = key
    }
}
