import Foundation
import PostgresNIO
import TaskLedgerCore

extension PostgresLedger {
    package static let snapshotColumns = "task, state, stage, actor, source, first_ts, last_ts, terminal_ts"
    package typealias SnapshotRow = (String, String, String, String, String, Int64, Int64, Int64?)

    package static func snapshot(_ r: SnapshotRow) -> Snapshot {
        Snapshot(task: r.0, state: r.1, stage: r.2, actor: r.3, source: r.4, firstTimestamp: r.5, lastTimestamp: r.6,
                 terminalTimestamp: r.7)
    }

    public func snapshot(task: String) throws -> Snapshot? {
        let logger = logger
        return try transaction(reading: true) { conn in
            let rows = try await conn.query(
                "SELECT \(unescaped: PostgresLedger.snapshotColumns) FROM task_state_snapshot WHERE task = \(task)",
                logger: logger)
            for try await row in rows.decode(SnapshotRow.self) { return PostgresLedger.snapshot(row) }
            return nil
        }
    }

    public func history(task: String) throws -> [RecordedEvent] {
        let logger = logger, location = location
        return try transaction(reading: true) { conn in
            let rows = try await conn.query("""
                SELECT seq, task, state, verdict, from_state, ts, event_id, actor, source, stage, detail, attrs, file, line
                FROM task_events WHERE task = \(task) ORDER BY seq
                """, logger: logger)
            var events: [RecordedEvent] = []
            for try await r in rows.decode(
                (Int64, String, String, String, String?, Int64, String?, String, String, String, String, String?, String, Int64?).self)
            {
                events.append(RecordedEvent(
                    seq: r.0, task: r.1, state: r.2, verdict: try Verdict(stored: r.3, in: "task_events", location: location), fromState: r.4,
                    timestamp: r.5, id: r.6, actor: r.7, source: r.8, stage: r.9, detail: r.10, attrs: r.11, file: r.12,
                    line: r.13.map(Int.init)))
            }
            return events
        }
    }

    public func eventCount(task: String) throws -> Int {
        let logger = logger
        return try transaction(reading: true) { conn in
            try await conn.query("SELECT count(*) FROM task_events WHERE task = \(task)", logger: logger)
                .collect().first?.decode(Int64.self) ?? 0
        }.asInt
    }

    public func latestTimestamp() throws -> Int64? {
        let logger = logger
        return try transaction(reading: true) { conn in
            try await conn.query("SELECT max(ts) FROM task_events", logger: logger).collect().first?.decode(Int64?.self) ?? nil
        }
    }

    public func staleTasks(now: Int64, olderThan: Int64?) throws -> [StaleTask] {
        let logger = logger, rules = rules
        return try transaction(reading: true) { conn in
            try await PostgresLedger.staleTasks(conn, rules: rules, now: now, olderThan: olderThan, logger: logger)
        }
    }

    package static func staleTasks(
        _ conn: PostgresConnection, rules: Rules, now: Int64, olderThan: Int64?, logger: Logger
    ) async throws -> [StaleTask] {
        let rows = try await conn.query("""
            SELECT \(unescaped: snapshotColumns) FROM task_state_snapshot
            WHERE terminal_ts IS NULL AND last_ts < \(now &- rules.smallestStaleThreshold(olderThan: olderThan))
            """, logger: logger)
        var candidates: [Snapshot] = []
        for try await row in rows.decode(SnapshotRow.self) { candidates.append(snapshot(row)) }
        return rules.staleTasks(among: candidates, now: now, olderThan: olderThan)
    }

    public func verify() throws -> VerifyReport {
        let logger = logger, rules = rules
        return try transaction(reading: true) { conn in
            var rebuild = SnapshotRebuild(rules: rules)
            let rows = try await conn.query(
                "SELECT seq, task, state, verdict, ts, actor, source, stage FROM task_events ORDER BY seq", logger: logger)
            for try await r in rows.decode((Int64, String, String, String, Int64, String, String, String).self) {
                rebuild.replay(seq: r.0, task: r.1, state: r.2, verdict: r.3, timestamp: r.4, actor: r.5, source: r.6, stage: r.7)
            }
            var stored: [String: Snapshot] = [:]
            let snapshots = try await conn.query(
                "SELECT \(unescaped: PostgresLedger.snapshotColumns) FROM task_state_snapshot", logger: logger)
            for try await row in snapshots.decode(SnapshotRow.self) { stored[row.0] = PostgresLedger.snapshot(row) }
            return rebuild.report(stored: stored)
        }
    }

    /// The saved checkpoint of `path`, if any.
    package func checkpoint(path: String) throws -> Checkpoint? {
        let logger = logger
        return try transaction(reading: true) { conn in
            let rows = try await conn.query("""
                SELECT path, head_hash, head_length, "offset", lines, compressed FROM import_files WHERE path = \(path)
                """, logger: logger)
            for try await c in rows.decode((String, Int64, Int64, Int64, Int64, Int32).self) {
                return Checkpoint(path: c.0, headHash: c.1, headLength: Int(c.2), offset: c.3, lines: Int(c.4), compressed: c.5 != 0)
            }
            return nil
        }
    }
}

private extension Int64 {
    var asInt: Int { Int(self) }
}
