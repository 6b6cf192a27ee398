import GRDB
import TaskLedgerCore

extension SQLiteLedger {
    /// The current state of `task`, or nil if it has no applied event.
    public func snapshot(task: String) throws -> Snapshot? {
        try read { db in try Snapshot.fetch(db, task: task) }
    }

    /// Every stored event of `task`, in arrival order (refused ones included).
    public func history(task: String) throws -> [RecordedEvent] {
        try read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT \(RecordedEvent.columns) FROM task_events
                    WHERE task_key = \(TaskKeyStatements.key(ofTaskAt: 1)) ORDER BY seq
                    """,
                arguments: [task]
            ).map { try RecordedEvent(row: $0, location: path) }
        }
    }

    /// The latest ts of any row in `task_events` (refused events included): `--now latest`.
    public func latestTimestamp() throws -> Int64? {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(ts) FROM task_events") }
    }

    /// Open tasks with `now − last_ts` strictly greater than their state's threshold (or than
    /// `olderThan` when given), oldest first, equal ages by task (bytewise).
    public func staleTasks(now: Int64, olderThan: Int64? = nil) throws -> [StaleTask] {
        try read { db in try SQLiteLedger.staleTasks(db, rules: rules, now: now, olderThan: olderThan) }
    }

    /// ``staleTasks(now:olderThan:)`` inside a read the caller owns (the report reads once).
    package static func staleTasks(_ db: Database, rules: Rules, now: Int64, olderThan: Int64? = nil) throws -> [StaleTask] {
        // Read from the covering index of open tasks, through the statement's columns rather
        // than GRDB rows: a ledger can have tens of thousands of open tasks (24k on
        // bench/nightly's 8 nights: 0.30 s before both, 0.06 s after).
        let query = BoundStatement(try db.cachedStatement(sql: """
            SELECT task, state, stage, actor, source, first_ts, last_ts, partial
            FROM task_state_snapshot WHERE terminal_ts IS NULL AND last_ts < ?
            """), in: db)
        query.bind(1, now &- rules.smallestStaleThreshold(olderThan: olderThan))
        var candidates: [Snapshot] = []
        _ = try query.firstMatch { row in
            candidates.append(Snapshot(
                task: row.text(0), state: row.text(1), stage: row.text(2), actor: row.text(3), source: row.text(4),
                firstTimestamp: row.int64(5), lastTimestamp: row.int64(6), terminalTimestamp: nil, partial: row.int64(7) != 0))
            return false
        }
        return rules.staleTasks(among: candidates, now: now, olderThan: olderThan)
    }

    /// Number of rows of `task` in `task_events`.
    public func eventCount(task: String) throws -> Int {
        try read { db in
            try Int.fetchOne(
                db, sql: """
                    SELECT count(*) FROM task_events
                    WHERE task_key = \(TaskKeyStatements.key(ofTaskAt: 1))
                    """,
                arguments: [task]) ?? 0
        }
    }
}

extension RecordedEvent {
    package static let columns = "seq, task, state, verdict, from_state, ts, event_id, actor, source, stage, detail, attrs, file, line"

    /// Throws ``LedgerError/damagedRow(path:table:detail:)`` for a verdict no task-ledger writes.
    package init(row: Row, location: String) throws {
        self.init(
            seq: row[0], task: row[1], state: row[2], verdict: try Verdict(stored: row[3], in: "task_events", location: location),
            fromState: row[4], timestamp: row[5], id: row[6], actor: row[7], source: row[8],
            stage: row[9], detail: row[10], attrs: row[11], file: row[12], line: row[13])
    }
}
