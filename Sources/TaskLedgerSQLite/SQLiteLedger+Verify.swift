import GRDB
import TaskLedgerCore

extension SQLiteLedger {
    /// Rebuilds every snapshot from `task_events` (replaying the stored verdicts in arrival
    /// order) and compares with `task_state_snapshot`, and checks that every row's `task_key` is
    /// its task's (history by task reads through it). Reads one consistent snapshot of the ledger.
    public func verify() throws -> VerifyReport {
        try read { db in
            var rebuild = SnapshotRebuild(rules: rules)
            // Keys follow first-seen order, so the key lookups walk task_keys about in order.
            let rows = try Row.fetchCursor(db, sql: """
                SELECT e.seq, e.task, e.state, e.verdict, e.ts, e.actor, e.source, e.stage, e.task_key, k.task, e.id_key,
                    e.content_key
                FROM task_events e LEFT JOIN task_keys k ON k.task_key = e.task_key ORDER BY e.seq
                """)
            // The stored dedupe filter must hold the key of every row it says it covers.
            let storedFilter = try StoredFilter.stored(db)
            var unfiltered = 0
            var wrongKeys: [String] = []
            var wrongKeyCount = 0
            // Every row must have its (coalesce(id_key, content_key), seq) once in event_ids, the
            // mid table or the tail (v7; rows with an id only before): compared by count and by
            // a sum of mixed pairs, in one pass over each.
            var ids = IDPairs()
            while let row = try rows.next() {
                let key = DedupeFilter.Key.stored(idKey: row[10], contentKey: row[11])
                ids.add(key.stored, row[0])
                if let storedFilter, (row[0] as Int64) <= storedFilter.covers, !storedFilter.filter.mayContain(key) {
                    unfiltered += 1
                }
                rebuild.replay(seq: row[0], task: row[1], state: row[2], verdict: row[3], timestamp: row[4],
                               actor: row[5], source: row[6], stage: row[7])
                let keyed: String? = row[9]
                if keyed != row[1] {
                    wrongKeyCount += 1
                    if wrongKeys.count < Self.shownKeyProblems {
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
            var stored: [String: Snapshot] = [:]
            let snapshotRows = try Row.fetchCursor(db, sql: """
                SELECT task, state, stage, actor, source, first_ts, last_ts, terminal_ts, partial FROM task_state_snapshot
                """)
            while let row = try snapshotRows.next() {
                let s = Snapshot(row: row)
                stored[s.task] = s
            }
            let wrongSnapshotKeys = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM task_state_snapshot s LEFT JOIN task_keys k ON k.task_key = s.task_key
                WHERE k.task IS NOT s.task
                """) ?? 0
            if wrongSnapshotKeys > 0 {
                wrongKeys.append("""
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
                wrongKeys.append("""
                    \(wrongHashes) task_keys rows have a task_hash that is not their task's: their tasks' keys cannot be found
                    """)
            }
            let twiceKeyed = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT 1 FROM task_keys GROUP BY task_hash, task HAVING count(*) > 1)
                """) ?? 0
            if twiceKeyed > 0 {
                wrongKeys.append("\(twiceKeyed) tasks have more than one row in task_keys: their history is split between keys")
            }
            if unfiltered > 0 {
                wrongKeys.append("""
                    \(unfiltered) task_events rows are not in the stored dedupe filter that claims to cover them \
                    (dedupe_filter): an import would take them again; delete its row and the next import rebuilds it
                    """)
            }
            var indexed = IDPairs()
            let pairs = try Row.fetchCursor(db, sql: Schema.allIDPairs)
            while let row = try pairs.next() { indexed.add(row[0], row[1]) }
            var report = rebuild.report(stored: stored)
            report.problems += wrongKeys
            if indexed != ids {
                report.problems.append("""
                    event_ids, event_ids_mid and event_ids_tail hold \(indexed.count) (key, seq) pairs, task_events \(ids.count) rows\
                    \(indexed.count == ids.count ? ", not the same ones" : ""): dedupe would miss or invent duplicates
                    """)
            }
            return report
        }
    }

    /// Rows with a wrong task_key named one by one before the rest are counted.
    static let shownKeyProblems = 10
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
