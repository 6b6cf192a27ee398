import GRDB
import TaskLedgerCore

extension SQLiteLedger {
    /// Rebuilds every snapshot from `task_events` (replaying the stored verdicts in arrival
    /// order) and compares with `task_state_snapshot`. Reads one consistent snapshot of the ledger.
    public func verify() throws -> VerifyReport {
        try read { db in
            var rebuild = SnapshotRebuild(rules: rules)
            let rows = try Row.fetchCursor(db, sql: """
                SELECT seq, task, state, verdict, ts, actor, source, stage FROM task_events ORDER BY seq
                """)
            while let row = try rows.next() {
                rebuild.replay(seq: row[0], task: row[1], state: row[2], verdict: row[3], timestamp: row[4],
                               actor: row[5], source: row[6], stage: row[7])
            }
            var stored: [String: Snapshot] = [:]
            let snapshotRows = try Row.fetchCursor(db, sql: """
                SELECT task, state, stage, actor, source, first_ts, last_ts, terminal_ts, partial FROM task_state_snapshot
                """)
            while let row = try snapshotRows.next() {
                let s = Snapshot(row: row)
                stored[s.task] = s
            }
            return rebuild.report(stored: stored)
        }
    }
}
