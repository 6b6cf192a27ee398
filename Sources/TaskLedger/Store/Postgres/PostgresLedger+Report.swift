extension PostgresLedger {
    /// The same ``Report`` value as ``Ledger/report(_:)``, read in one REPEATABLE READ
    /// transaction; text sorts use `COLLATE "C"` (bytewise, as SQLite's BINARY).
    public func report(_ options: ReportOptions) throws -> Report {
        try transaction(reading: true) { conn in
            let window = PostgresWindow(options)
            var eventsPerTask: [String: Int] = [:]
            for r in try conn.exec("SELECT task, count(*) FROM task_events WHERE \(window.condition("ts")) GROUP BY task").rows {
                eventsPerTask[try r.text(0)] = Int(try r.int64(1))
            }
            let outcomes = try conn.exec("""
                SELECT task, state, first_ts, terminal_ts, actor, source, stage FROM task_state_snapshot
                WHERE terminal_ts IS NOT NULL AND \(window.condition("terminal_ts"))
                ORDER BY task COLLATE "C"
                """).rows.map { r in
                Report.Outcome(
                    task: try r.text(0), state: try r.text(1), firstTimestamp: try r.int64(2), terminalTimestamp: try r.int64(3),
                    events: eventsPerTask[try r.text(0)] ?? 0, actor: try r.text(4), source: try r.text(5), stage: try r.text(6))
            }
            return Report(
                options: options,
                ledgerPath: location,
                rules: rules,
                outcomes: outcomes,
                violations: try PostgresLedger.violations(conn, window),
                stale: try staleTasks(conn, now: options.now, olderThan: nil),
                transitions: try PostgresLedger.transitions(conn, window),
                eventsPerTask: eventsPerTask,
                rejects: Int(try conn.exec("SELECT count(*) FROM import_rejects WHERE \(window.condition("ts"))").int64(0, 0)),
                open: Int(try conn.exec("SELECT count(*) FROM task_state_snapshot WHERE terminal_ts IS NULL").int64(0, 0)))
        }
    }

    /// Refused events and rejects in the order of ``Report/violations``: file (bytewise), line
    /// (live writes' NULL first, as SQLite sorts it), events before rejects, arrival order.
    private static func violations(_ conn: PGConnection, _ window: PostgresWindow) throws -> [Report.Violation] {
        try conn.exec("""
            SELECT * FROM (
                SELECT file, line, task, verdict, from_state, state, ts, event_id, NULL::text AS message,
                    CASE WHEN verdict = 'out_of_order' THEN (
                        SELECT max(p.ts) FROM task_events p
                        WHERE p.task = e.task AND p.seq < e.seq AND p.verdict IN ('applied', 'out_of_order')
                    ) END AS last_ts,
                    0 AS origin, seq AS arrival
                FROM task_events e
                WHERE verdict <> 'applied' AND \(window.condition("ts"))
                UNION ALL
                SELECT file, line, task, kind, from_state, to_state, ts, event_id, message, NULL::bigint, 1, id
                FROM import_rejects
                WHERE \(window.condition("ts"))
            ) v
            ORDER BY file COLLATE "C", line NULLS FIRST, origin, arrival
            """).rows.map { r in
            let kind = Verdict(rawValue: try r.text(3)) ?? .malformed
            let fromState = r.string(4), toState = r.string(5), lastTimestamp = try r.optionalInt64(9)
            return Report.Violation(
                file: try r.text(0), line: try r.optionalInt64(1).map(Int.init), task: r.string(2), kind: kind,
                fromState: fromState, toState: toState, timestamp: try r.optionalInt64(6), eventID: r.string(7),
                message: r.string(8)
                    ?? ViolationMessage.text(kind: kind, from: fromState, to: toState ?? "", lastTimestamp: lastTimestamp))
        }
    }

    private static func transitions(_ conn: PGConnection, _ window: PostgresWindow) throws -> [Report.Transition] {
        try conn.exec("""
            SELECT from_state, state, verdict IN ('applied', 'out_of_order'), count(*) FROM task_events
            WHERE \(window.condition("ts")) GROUP BY 1, 2, 3
            """).rows.map { r in
            Report.Transition(from: r.string(0), to: try r.text(1), applied: try r.bool(2), count: Int(try r.int64(3)))
        }.sorted(by: Report.Transition.precedes)
    }
}

/// The report window as a PostgreSQL condition: `column >= since AND column < until` when a
/// bound is given, else true (rows without a ts count only without a window, as on SQLite).
struct PostgresWindow: Sendable {
    let since: Int64?
    let until: Int64?

    init(_ options: ReportOptions) {
        since = options.since
        until = options.until
    }

    /// The condition as SQL text: only integers are spliced in, never text from outside.
    func condition(_ column: String) -> String {
        guard since != nil || until != nil else { return "TRUE" }
        return "\(column) >= \(since ?? .min) AND \(column) < \(until ?? .max)"
    }
}
