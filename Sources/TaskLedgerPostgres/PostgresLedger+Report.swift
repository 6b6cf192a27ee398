import PostgresNIO
import TaskLedgerCore

extension PostgresLedger {
    /// The same rows as the SQLite store's, read in one REPEATABLE READ transaction; text
    /// sorts use `COLLATE "C"` (bytewise, as SQLite's BINARY).
    package func reportRows(_ options: ReportOptions) throws -> ReportRows {
        let logger = logger, rules = rules, location = location
        return try transaction(reading: true) { conn in
            let window = PostgresWindow(options)
            var eventsPerTask: [String: Int] = [:]
            for try await (task, count) in try await conn.query(
                "SELECT task, count(*) FROM task_events WHERE \(unescaped: window.condition("ts")) GROUP BY task", logger: logger
            ).decode((String, Int64).self) {
                eventsPerTask[task] = Int(count)
            }
            var outcomes: [ReportRows.Outcome] = []
            for try await r in try await conn.query("""
                SELECT task, state, first_ts, terminal_ts, actor, source, stage FROM task_state_snapshot
                WHERE terminal_ts IS NOT NULL AND \(unescaped: window.condition("terminal_ts"))
                ORDER BY task COLLATE "C"
                """, logger: logger).decode((String, String, Int64, Int64, String, String, String).self)
            {
                outcomes.append(ReportRows.Outcome(
                    task: r.0, state: r.1, firstTimestamp: r.2, terminalTimestamp: r.3, actor: r.4, source: r.5, stage: r.6))
            }
            return ReportRows(
                outcomes: outcomes,
                violations: try await PostgresLedger.violations(conn, window, location: location, logger: logger),
                stale: try await PostgresLedger.staleTasks(conn, rules: rules, now: options.now, olderThan: nil, logger: logger),
                transitions: try await PostgresLedger.transitions(conn, window, logger: logger),
                eventsPerTask: eventsPerTask,
                rejects: Int(try await conn.query(
                    "SELECT count(*) FROM import_rejects WHERE \(unescaped: window.condition("ts"))", logger: logger
                ).collect().first?.decode(Int64.self) ?? 0),
                open: Int(try await conn.query(
                    "SELECT count(*) FROM task_state_snapshot WHERE terminal_ts IS NULL", logger: logger
                ).collect().first?.decode(Int64.self) ?? 0))
        }
    }

    /// Refused events and rejects in the order of ``Report/violations``: file (bytewise), line
    /// (live writes' NULL first, as SQLite sorts it), events before rejects, arrival order.
    private static func violations(
        _ conn: PostgresConnection, _ window: PostgresWindow, location: String, logger: Logger
    ) async throws -> [ReportRows.Violation] {
        var violations: [ReportRows.Violation] = []
        let rows = try await conn.query("""
            SELECT * FROM (
                SELECT file, line, task, verdict, from_state, state, ts, event_id, NULL::text AS message,
                    CASE WHEN verdict = 'out_of_order' THEN (
                        SELECT max(p.ts) FROM task_events p
                        WHERE p.task = e.task AND p.seq < e.seq AND p.verdict IN ('applied', 'out_of_order')
                    ) END AS last_ts,
                    0 AS origin, seq AS arrival
                FROM task_events e
                WHERE verdict <> 'applied' AND \(unescaped: window.condition("ts"))
                UNION ALL
                SELECT file, line, task, kind, from_state, to_state, ts, event_id, message, NULL::bigint, 1, id
                FROM import_rejects
                WHERE \(unescaped: window.condition("ts"))
            ) v
            ORDER BY file COLLATE "C", line NULLS FIRST, origin, arrival
            """, logger: logger)
        for try await r in rows.decode(
            (String, Int64?, String?, String, String?, String?, Int64?, String?, String?, Int64?, Int32, Int64).self)
        {
            violations.append(ReportRows.Violation(
                file: r.0, line: r.1.map(Int.init), task: r.2,
                kind: try Verdict(stored: r.3, in: r.10 == 0 ? "task_events" : "import_rejects", location: location),
                fromState: r.4, toState: r.5, timestamp: r.6, eventID: r.7, message: r.8, lastTimestamp: r.9))
        }
        return violations
    }

    private static func transitions(
        _ conn: PostgresConnection, _ window: PostgresWindow, logger: Logger
    ) async throws -> [ReportRows.Transition] {
        var transitions: [ReportRows.Transition] = []
        let rows = try await conn.query("""
            SELECT from_state, state, verdict IN ('applied', 'out_of_order'), count(*) FROM task_events
            WHERE \(unescaped: window.condition("ts")) GROUP BY 1, 2, 3
            """, logger: logger)
        for try await r in rows.decode((String?, String, Bool, Int64).self) {
            transitions.append(ReportRows.Transition(from: r.0, to: r.1, applied: r.2, count: Int(r.3)))
        }
        return transitions
    }
}

/// The report window as a PostgreSQL condition: `column >= since AND column < until` when a
/// bound is given, else true (rows without a ts count only without a window, as on SQLite).
package struct PostgresWindow: Sendable {
    package let since: Int64?
    package let until: Int64?

    package init(_ options: ReportOptions) {
        since = options.since
        until = options.until
    }

    /// The condition as SQL text: only integers are spliced in, never text from outside.
    package func condition(_ column: String) -> String {
        guard since != nil || until != nil else { return "TRUE" }
        return "\(column) >= \(since ?? .min) AND \(column) < \(until ?? .max)"
    }
}
