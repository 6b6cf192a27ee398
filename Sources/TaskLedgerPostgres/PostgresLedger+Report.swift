import TaskLedgerCore

extension PostgresLedger {
    /// The same rows as the SQLite store's, read in one REPEATABLE READ transaction; text
    /// sorts use `COLLATE "C"` (bytewise, as SQLite's BINARY). The outcomes and the per-task
    /// event counts merged into them are read through cursors, a page at a time, so that a
    /// full report of a big ledger does not hold every task in libpq's memory.
    package func reportRows(
        _ options: ReportOptions, outcome: (ReportRows.Outcome) throws -> Void
    ) throws -> ReportRows {
        var handed = 0
        return try transaction(reading: true) { conn in
            // A retried transaction must not hand the outcomes it already handed once more.
            guard handed == 0 else {
                throw LedgerError.database(
                    path: location, message: "report: the read was retried after \(handed) outcomes were written; run it again")
            }
            let window = PostgresWindow(options)
            let counts = try PGRowCursor(conn, name: "task_ledger_report_counts", query: """
                SELECT task COLLATE "C" AS t, count(*) FROM task_events WHERE \(window.condition("ts"))
                GROUP BY t ORDER BY t
                """)
            var merge = EventCountMerge(location: location) {
                guard let r = try counts.next() else { return nil }
                return (try r.text(0), Int(try r.int64(1)))
            }
            let outcomes = try PGRowCursor(conn, name: "task_ledger_report_outcomes", query: """
                SELECT task, state, first_ts, terminal_ts, actor, source, stage, partial FROM task_state_snapshot
                WHERE terminal_ts IS NOT NULL AND \(window.condition("terminal_ts"))
                ORDER BY task COLLATE "C"
                """)
            while let r = try outcomes.next() {
                let task = try r.text(0)
                try outcome(ReportRows.Outcome(
                    task: task, state: try r.text(1), firstTimestamp: try r.int64(2), terminalTimestamp: try r.int64(3),
                    actor: try r.text(4), source: try r.text(5), stage: try r.text(6), partial: try r.int64(7) != 0,
                    events: try merge.count(of: task)))
                handed += 1
            }
            try merge.finish()
            try outcomes.close()
            try counts.close()
            return ReportRows(
                violations: try PostgresLedger.violations(conn, window, location: location),
                stale: try staleTasks(conn, now: options.now, olderThan: nil),
                transitions: try PostgresLedger.transitions(conn, window),
                events: merge.events, tasks: merge.tasks,
                rejects: Int(try conn.exec("SELECT count(*) FROM import_rejects WHERE \(window.condition("ts"))").int64(0, 0)),
                open: Int(try conn.exec("SELECT count(*) FROM task_state_snapshot WHERE terminal_ts IS NULL").int64(0, 0)),
                openPartial: Int(try conn.exec(
                    "SELECT count(*) FROM task_state_snapshot WHERE terminal_ts IS NULL AND partial <> 0").int64(0, 0)))
        }
    }

    /// Refused events and rejects in the order of ``ReportRows/violations``: file (bytewise), line
    /// (live writes' NULL first, as SQLite sorts it), events before rejects, arrival order.
    private static func violations(
        _ conn: PGConnection, _ window: PostgresWindow, location: String
    ) throws -> [ReportRows.Violation] {
        try conn.exec("""
            SELECT * FROM (
                SELECT file, line, task, verdict, from_state, state, ts, event_id, NULL::text AS message,
                    CASE WHEN verdict = $1 THEN (
                        SELECT max(p.ts) FROM task_events p
                        WHERE p.task = e.task AND p.seq < e.seq AND p.verdict IN ($2, $1)
                    ) END AS last_ts,
                    0 AS origin, seq AS arrival, NULL::text AS raw
                FROM task_events e
                WHERE verdict <> $2 AND \(window.condition("ts"))
                UNION ALL
                SELECT file, line, task, kind, from_state, to_state, ts, event_id, message, NULL::bigint, 1, id, raw
                FROM import_rejects
                WHERE \(window.condition("ts"))
            ) v
            ORDER BY file COLLATE "C", line NULLS FIRST, origin, arrival
            """, params: [Verdict.outOfOrder.rawValue, Verdict.applied.rawValue]).rows.map { r in
            ReportRows.Violation(
                file: try r.text(0), line: try r.optionalInt64(1).map(Int.init), task: r.string(2),
                kind: try Verdict(
                    stored: try r.text(3), in: try r.int64(10) == 0 ? "task_events" : "import_rejects", location: location),
                fromState: r.string(4), toState: r.string(5), timestamp: try r.optionalInt64(6), eventID: r.string(7),
                message: r.string(8), lastTimestamp: try r.optionalInt64(9), raw: r.string(12))
        }
    }

    private static func transitions(_ conn: PGConnection, _ window: PostgresWindow) throws -> [ReportRows.Transition] {
        try conn.exec("""
            SELECT from_state, state, verdict IN ($1, $2), count(*) FROM task_events
            WHERE \(window.condition("ts")) GROUP BY 1, 2, 3
            """, params: [Verdict.applied.rawValue, Verdict.outOfOrder.rawValue]).rows.map { r in
            ReportRows.Transition(from: r.string(0), to: try r.text(1), applied: try r.bool(2), count: Int(try r.int64(3)))
        }
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
