import Foundation
import TaskLedgerCore

extension PostgresLedger {
    package static let snapshotColumns = "task, state, stage, actor, source, first_ts, last_ts, terminal_ts, partial"

    /// A row of ``snapshotColumns``.
    package static func snapshot(_ r: PGRow) throws -> Snapshot {
        Snapshot(task: try r.text(0), state: try r.text(1), stage: try r.text(2), actor: try r.text(3), source: try r.text(4),
                 firstTimestamp: try r.int64(5), lastTimestamp: try r.int64(6), terminalTimestamp: try r.optionalInt64(7),
                 partial: try r.int64(8) != 0)
    }

    package func snapshot(task: String) throws -> Snapshot? {
        try transaction(reading: true) { conn in
            try conn.exec("SELECT \(PostgresLedger.snapshotColumns) FROM task_state_snapshot WHERE task = $1", params: [task])
                .first.map(PostgresLedger.snapshot)
        }
    }

    package func history(task: String) throws -> [RecordedEvent] {
        try transaction(reading: true) { conn in
            try conn.exec("""
                SELECT seq, task, state, verdict, from_state, ts, event_id, actor, source, stage, detail, attrs, file, line
                FROM task_events WHERE task = $1 ORDER BY seq
                """, params: [task]).rows.map { r in
                RecordedEvent(
                    seq: try r.int64(0), task: try r.text(1), state: try r.text(2),
                    verdict: try Verdict(stored: try r.text(3), in: "task_events", location: location), fromState: r.string(4), timestamp: try r.int64(5),
                    id: r.string(6), actor: try r.text(7), source: try r.text(8), stage: try r.text(9), detail: try r.text(10),
                    attrs: r.string(11), file: try r.text(12), line: try r.optionalInt64(13).map(Int.init))
            }
        }
    }

    package func eventCount(task: String) throws -> Int {
        try transaction(reading: true) { conn in
            Int(try conn.exec("SELECT count(*) FROM task_events WHERE task = $1", params: [task]).int64(0, 0))
        }
    }

    package func latestTimestamp() throws -> Int64? {
        try transaction(reading: true) { conn in
            try conn.exec("SELECT max(ts) FROM task_events").optionalInt64(0, 0)
        }
    }

    package func staleTasks(now: Int64, olderThan: Int64?) throws -> [StaleTask] {
        try transaction(reading: true) { conn in
            try staleTasks(conn, now: now, olderThan: olderThan)
        }
    }

    package func staleTasks(_ conn: PGConnection, now: Int64, olderThan: Int64?) throws -> [StaleTask] {
        let candidates = try conn.exec("""
            SELECT \(PostgresLedger.snapshotColumns) FROM task_state_snapshot
            WHERE terminal_ts IS NULL AND last_ts < $1
            """, params: [String(now &- rules.smallestStaleThreshold(olderThan: olderThan))]).rows.map(PostgresLedger.snapshot)
        return rules.staleTasks(among: candidates, now: now, olderThan: olderThan)
    }

    /// Task by task, so that memory holds one task's rows and snapshot, not the ledger's:
    /// history and snapshots both in bytewise order of task (`COLLATE "C"`, Swift's order of
    /// UTF-8 bytes; the ledger's own collation may be another), each task's rows in seq order.
    package func verify() throws -> VerifyReport {
        try transaction(reading: true) { conn in
            var rebuild = SnapshotRebuild(rules: rules)
            let snapshots = try PGRowCursor(conn, name: "task_ledger_snapshots", query: """
                SELECT \(PostgresLedger.snapshotColumns) FROM task_state_snapshot ORDER BY task COLLATE "C"
                """)
            var snapshot = try snapshots.next().map(PostgresLedger.snapshot)
            // Settles the snapshots of tasks before `task` (tasks with no row), and `task`.
            func settle(_ task: String?) throws {
                while let s = snapshot, task.map({ s.task.utf8.lexicographicallyPrecedes($0.utf8) }) ?? true {
                    rebuild.settle(task: s.task, stored: s)
                    snapshot = try snapshots.next().map(PostgresLedger.snapshot)
                }
                guard let task else { return }
                if let s = snapshot, s.task == task {
                    rebuild.settle(task: task, stored: s)
                    snapshot = try snapshots.next().map(PostgresLedger.snapshot)
                } else {
                    rebuild.settle(task: task, stored: nil)
                }
            }
            var current: String?
            try conn.forEachRow(of: """
                SELECT seq, task, state, verdict, ts, actor, source, stage FROM task_events ORDER BY task COLLATE "C", seq
                """) { r in
                let task = try r.text(1)
                if let current, current != task { try settle(current) }
                current = task
                rebuild.replay(
                    seq: try r.int64(0), task: task, state: try r.text(2), verdict: try r.text(3), timestamp: try r.int64(4),
                    actor: try r.text(5), source: try r.text(6), stage: try r.text(7))
            }
            if let current { try settle(current) }
            try settle(nil)
            try snapshots.close()
            return rebuild.report()
        }
    }

    /// The saved checkpoint of `path`, if any.
    package func checkpoint(path: String) throws -> Checkpoint? {
        try transaction(reading: true) { conn in
            try conn.exec("""
                SELECT path, head_hash, head_length, "offset", lines, compressed FROM import_files WHERE path = $1
                """, params: [path]).first.map { c in
                Checkpoint(path: try c.text(0), headHash: try c.int64(1), headLength: Int(try c.int64(2)), offset: try c.int64(3),
                           lines: Int(try c.int64(4)), compressed: try c.int64(5) != 0)
            }
        }
    }
}
