import GRDB
import TaskLedgerCore

extension SQLiteLedger {
    /// Rebuilds every snapshot from `task_events` (replaying the stored verdicts in arrival
    /// order) and compares with `task_state_snapshot`, and checks that every row's `task_key` is
    /// its task's (history by task reads through it). Reads one consistent snapshot of the ledger.
    ///
    /// Task by task when the keys allow (every row's and snapshot's key its task's, one key per
    /// task): history through its task index, snapshots by key, so that memory holds one task —
    /// on an 8-night ledger (8M rows, 800k tasks) 838 MB in seq order. Otherwise in seq order,
    /// which names the rows with wrong keys; both give the same report for the same ledger.
    public func verify() throws -> VerifyReport {
        try read { db in
            // The stored dedupe filter must hold the key of every row it says it covers.
            let storedFilter = try StoredFilter.stored(db)
            var keyProblems: [String] = []
            let wrongSnapshotKeys = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM task_state_snapshot s LEFT JOIN task_keys k ON k.task_key = s.task_key
                WHERE k.task IS NOT s.task
                """) ?? 0
            if wrongSnapshotKeys > 0 {
                keyProblems.append("""
                    \(wrongSnapshotKeys) task_state_snapshot rows have a task_key that task_keys does not give to their task: \
                    status of those tasks cannot find them
                    """)
            }
            // Each task found by its hash, once: a wrong hash hides a task's key (its next event
            // would get a second one), and a task with two keys splits its history.
            let wrongHashes = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM task_keys WHERE task_hash IS NOT task_ledger_task_hash(task)
                """) ?? 0
            if wrongHashes > 0 {
                keyProblems.append("""
                    \(wrongHashes) task_keys rows have a task_hash that is not their task's: their tasks' keys cannot be found
                    """)
            }
            // Every row's (hash, key) pair once in task_hashes or its tail, and no other pair (v8).
            let unpaired = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM task_keys k WHERE
                    (SELECT count(*) FROM task_hashes_tail h WHERE h.task_hash = k.task_hash AND h.task_key = k.task_key)
                    + (SELECT count(*) FROM task_hashes h WHERE h.task_hash = k.task_hash AND h.task_key = k.task_key) != 1
                """) ?? 0
            let strayPairs = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT task_hash, task_key FROM task_hashes_tail UNION ALL SELECT task_hash, task_key FROM task_hashes) h
                WHERE NOT EXISTS (SELECT 1 FROM task_keys k WHERE k.task_key = h.task_key AND k.task_hash = h.task_hash)
                """) ?? 0
            if unpaired > 0 || strayPairs > 0 {
                keyProblems.append("""
                    task_hashes and task_hashes_tail lack the pair of \(unpaired) task_keys rows (or hold it twice) and hold \
                    \(strayPairs) pairs of no row: tasks would not be found, or be found under a key that is not theirs
                    """)
            }
            let twiceKeyed = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT 1 FROM task_keys GROUP BY task_hash, task HAVING count(*) > 1)
                """) ?? 0
            if twiceKeyed > 0 {
                keyProblems.append("\(twiceKeyed) tasks have more than one row in task_keys: their history is split between keys")
            }
            let start = Replay(rules: rules, storedFilter: storedFilter)
            let replay = try (wrongSnapshotKeys == 0 && twiceKeyed == 0 ? Self.replayTaskByTask(db, start) : nil)
                ?? Self.replayInSeqOrder(db, start)
            let rows = replay.rows
            if rows.unfiltered > 0 {
                keyProblems.append("""
                    \(rows.unfiltered) task_events rows are not in the stored dedupe filter that claims to cover them \
                    (dedupe_filter): an import would take them again; delete its row and the next import rebuilds it
                    """)
            }
            var indexed = IDPairs()
            let pairs = try Row.fetchCursor(db, sql: Schema.allIDPairs)
            while let row = try pairs.next() { indexed.add(row[0], row[1]) }
            var report = replay.rebuild.report()
            report.problems += replay.wrongKeys + keyProblems
            if indexed != rows.ids {
                report.problems.append("""
                    event_ids, event_ids_mid and event_ids_tail hold \(indexed.count) (key, seq) pairs, task_events \(rows.ids.count) rows\
                    \(indexed.count == rows.ids.count ? ", not the same ones" : ""): dedupe would miss or invent duplicates
                    """)
            }
            return report
        }
    }

    /// The columns both replays read of a row (``Replay/add(_:)``).
    fileprivate static let replayed = """
        e.seq, e.task, e.state, e.verdict, e.ts, e.actor, e.source, e.stage, e.task_key, k.task, e.id_key, e.content_key
        """

    /// Replays each task's rows from `start` and settles it against its snapshot, in key order;
    /// nil as soon as a row's key is not its task's (the caller starts over in seq order).
    private static func replayTaskByTask(_ db: Database, _ start: Replay) throws -> Replay? {
        var replay = start
        // SQLite reads task_events_by_task_key for this order (EXPLAIN QUERY PLAN: no sort of
        // the table); not INDEXED BY, so that a ledger that lost the index is sorted instead
        // of refused.
        let history = try Row.fetchCursor(db, sql: """
            SELECT \(replayed) FROM task_events e
            LEFT JOIN task_keys k ON k.task_key = e.task_key ORDER BY e.task_key, e.seq
            """)
        let snapshots = try Row.fetchCursor(db, sql: """
            SELECT task_key, task, state, stage, actor, source, first_ts, last_ts, terminal_ts, partial
            FROM task_state_snapshot ORDER BY task_key
            """)
        func nextSnapshot() throws -> (key: Int64, snapshot: Snapshot)? {
            try snapshots.next().map { (key: $0[0], snapshot: Snapshot(row: $0, from: 1)) }
        }
        var snapshot = try nextSnapshot()
        // Settles the snapshots of keys before `key`: tasks with no row.
        func settleSnapshots(before key: Int64?) throws {
            while let s = snapshot, key.map({ s.key < $0 }) ?? true {
                replay.rebuild.settle(task: s.snapshot.task, stored: s.snapshot)
                snapshot = try nextSnapshot()
            }
        }
        func settle(_ key: Int64, _ task: String) throws {
            try settleSnapshots(before: key)
            if let s = snapshot, s.key == key {
                replay.rebuild.settle(task: task, stored: s.snapshot)
                snapshot = try nextSnapshot()
            } else {
                replay.rebuild.settle(task: task, stored: nil)
            }
        }
        var current: (key: Int64, task: String)?
        while let row = try history.next() {
            let task: String = row[1]
            guard let key: Int64 = row[8], let keyed: String = row[9], keyed == task else { return nil }
            if current?.key != key {
                if let c = current { try settle(c.key, c.task) }
                current = (key, task)
            }
            replay.add(row)
        }
        if let c = current { try settle(c.key, c.task) }
        try settleSnapshots(before: nil)
        return replay
    }

    /// Replays every row in seq order from `start`, then compares every snapshot; names the
    /// rows whose key is not their task's.
    private static func replayInSeqOrder(_ db: Database, _ start: Replay) throws -> Replay {
        var replay = start
        let history = try Row.fetchCursor(db, sql: """
            SELECT \(replayed) FROM task_events e LEFT JOIN task_keys k ON k.task_key = e.task_key ORDER BY e.seq
            """)
        var wrongKeys: [String] = []
        var wrongKeyCount = 0
        while let row = try history.next() {
            replay.add(row)
            let keyed: String? = row[9]
            if keyed != row[1] {
                wrongKeyCount += 1
                if wrongKeys.count < shownKeyProblems {
                    let key: Int64? = row[8]
                    let named = keyed.map { "task_keys gives it to '\($0)'" } ?? "task_keys has no such key"
                    wrongKeys.append("""
                        task_events seq \(row[0] as Int64) of task '\(row[1] as String)' has task_key \(key.map(String.init) ?? "NULL"): \
                        \(named), so history of the task misses the row
                        """)
                }
            }
        }
        if wrongKeyCount > wrongKeys.count {
            wrongKeys.append("… and \(wrongKeyCount - wrongKeys.count) more task_events rows whose task_key is not their task's")
        }
        let snapshots = try Row.fetchCursor(db, sql: """
            SELECT task, state, stage, actor, source, first_ts, last_ts, terminal_ts, partial FROM task_state_snapshot
            """)
        var stored: [String: Snapshot] = [:]
        while let row = try snapshots.next() {
            let s = Snapshot(row: row)
            stored[s.task] = s
        }
        for (task, snapshot) in stored { replay.rebuild.settle(task: task, stored: snapshot) }
        replay.wrongKeys = wrongKeys
        return replay
    }

    /// Rows with a wrong task_key named one by one before the rest are counted.
    static let shownKeyProblems = 10
}

/// What a pass of verify over the rows builds: the rebuilt snapshots, the rows' checks, and
/// (in seq order) the rows named for a wrong key.
private struct Replay {
    var rebuild: SnapshotRebuild
    var rows: RowChecks
    var wrongKeys: [String] = []

    init(rules: Rules, storedFilter: (filter: DedupeFilter, covers: Int64)?) {
        rebuild = SnapshotRebuild(rules: rules)
        rows = RowChecks(storedFilter: storedFilter)
    }

    /// Replays a row of ``SQLiteLedger/replayed`` and checks it.
    mutating func add(_ row: Row) {
        rows.check(seq: row[0], key: DedupeFilter.Key.stored(idKey: row[10], contentKey: row[11]))
        rebuild.replay(seq: row[0], task: row[1], state: row[2], verdict: row[3], timestamp: row[4],
                       actor: row[5], source: row[6], stage: row[7])
    }
}

/// What verify checks of every row besides its replay: its dedupe pair, and that the stored
/// filter holds its key if it claims to.
private struct RowChecks {
    let storedFilter: (filter: DedupeFilter, covers: Int64)?
    var ids = IDPairs()
    var unfiltered = 0

    init(storedFilter: (filter: DedupeFilter, covers: Int64)?) { self.storedFilter = storedFilter }

    mutating func check(seq: Int64, key: DedupeFilter.Key) {
        ids.add(key.stored, seq)
        if let storedFilter, seq <= storedFilter.covers, !storedFilter.filter.mayContain(key) {
            unfiltered += 1
        }
    }
}

/// A multiset of (key, seq) pairs, summarised: two that differ in any pair differ here but
/// for a 2^-64 chance.
private struct IDPairs: Equatable {
    private(set) var count = 0
    private var sum: UInt64 = 0

    mutating func add(_ idKey: Int64, _ seq: Int64) {
        count += 1
        // splitmix64's finaliser of the pair, so that sums of different pairs do not cancel.
        var z = UInt64(bitPattern: idKey) &+ UInt64(bitPattern: seq) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        sum &+= z ^ (z >> 31)
    }
}
