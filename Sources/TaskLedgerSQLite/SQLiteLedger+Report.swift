import GRDB
import TaskLedgerCore

extension SQLiteLedger {
    /// Reads everything the report needs in one read transaction, so that its files agree
    /// with each other even while other processes write. Whole-table GROUP BY queries and
    /// cursors, never a query per task; the outcomes go to `outcome` as they are read.
    package func reportRows(
        _ options: ReportOptions, outcome: (ReportRows.Outcome) throws -> Void
    ) throws -> ReportRows {
        try read { db in
            let window = ReportWindow(options)
            let (events, tasks) = try SQLiteLedger.outcomes(db, window, location: path, outcome)
            return ReportRows(
                violations: try SQLiteLedger.violations(db, window, location: path),
                stale: try SQLiteLedger.staleTasks(db, rules: rules, now: options.now),
                transitions: try SQLiteLedger.transitions(db, window),
                events: events, tasks: tasks,
                rejects: try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM import_rejects WHERE \(window.sql)",
                    arguments: window.arguments) ?? 0,
                open: try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM task_state_snapshot WHERE terminal_ts IS NULL") ?? 0,
                openPartial: try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM task_state_snapshot WHERE terminal_ts IS NULL AND partial <> 0") ?? 0)
        }
    }

    /// Hands every terminal snapshot of the window to `outcome` in task order, with its task's
    /// event count merged in from a `GROUP BY task` in the same order (``EventCountMerge``), and
    /// returns the window's event and task totals. Both cursors are SQLite's sorters, which
    /// spill to temporary files, so memory does not grow with the ledger.
    private static func outcomes(
        _ db: Database, _ window: ReportWindow, location: String, _ outcome: (ReportRows.Outcome) throws -> Void
    ) throws -> (events: Int, tasks: Int) {
        // ORDER BY task is bytewise (the column's collation is BINARY).
        let counts = try Row.fetchCursor(
            db, sql: "SELECT task, count(*) FROM task_events WHERE \(window.sql) GROUP BY task ORDER BY task",
            arguments: window.arguments)
        var merge = EventCountMerge(location: location) {
            guard let row = try counts.next() else { return nil }
            return (row[0], row[1])
        }
        let rows = try Row.fetchCursor(
            db, sql: """
                SELECT task, state, first_ts, terminal_ts, actor, source, stage, partial
                FROM task_state_snapshot
                WHERE terminal_ts IS NOT NULL AND \(window.sql(column: "terminal_ts"))
                ORDER BY task
                """,
            arguments: window.arguments)
        while let row = try rows.next() {
            let task: String = row[0]
            try outcome(ReportRows.Outcome(
                task: task, state: row[1], firstTimestamp: row[2], terminalTimestamp: row[3],
                actor: row[4], source: row[5], stage: row[6], partial: row[7] as Int64 != 0,
                events: try merge.count(of: task)))
        }
        try merge.finish()
        return (merge.events, merge.tasks)
    }

    /// Refused events and rejected lines in one ordered stream: file and line (live writes,
    /// file '' and line NULL, sort first), then events before rejects, then arrival order.
    private static func violations(
        _ db: Database, _ window: ReportWindow, location: String
    ) throws -> [ReportRows.Violation] {
        var violations: [ReportRows.Violation] = []
        // last_ts before an out_of_order event is not stored: the latest applied ts before it.
        let rows = try Row.fetchCursor(
            db, sql: """
                SELECT file, line, task, verdict, from_state, state, ts, event_id, NULL AS message,
                    CASE WHEN verdict = ? THEN (
                        SELECT max(p.ts) FROM task_events p
                        WHERE p.task_key = e.task_key AND p.seq < e.seq AND p.verdict IN (?, ?)
                    ) END AS last_ts,
                    0 AS origin, seq AS arrival, NULL AS raw
                FROM task_events e
                WHERE verdict <> ? AND \(window.sql)
                UNION ALL
                SELECT file, line, task, kind, from_state, to_state, ts, event_id, message, NULL, 1, id, raw
                FROM import_rejects
                WHERE \(window.sql)
                ORDER BY file, line, origin, arrival
                """,
            arguments: [Verdict.outOfOrder.rawValue, Verdict.applied.rawValue, Verdict.outOfOrder.rawValue,
                        Verdict.applied.rawValue] + window.arguments + window.arguments)
        while let row = try rows.next() {
            violations.append(ReportRows.Violation(
                file: row[0], line: row[1], task: row[2],
                kind: try Verdict(stored: row[3], in: row[10] == 0 ? "task_events" : "import_rejects", location: location), fromState: row[4],
                toState: row[5], timestamp: row[6], eventID: row[7], message: row[8], lastTimestamp: row[9],
                raw: row[12]))
        }
        return violations
    }

    /// Counts `(from_state, state, applied)` over `task_events` in one pass.
    ///
    /// A `GROUP BY` over these three text columns sorts every row (1.6 s for 1M events);
    /// there are only a few dozen distinct triples, so a hash table over the column bytes,
    /// read through SQLite's C API without making Strings, does it in a fraction of that.
    private static func transitions(_ db: Database, _ window: ReportWindow) throws -> [ReportRows.Transition] {
        let statement = BoundStatement(
            try db.makeStatement(sql: "SELECT from_state, state, verdict FROM task_events WHERE \(window.sql)"), in: db)
        if let since = window.since, let until = window.until {
            statement.bind(1, since)
            statement.bind(2, until)
        } else if window.since != nil || window.until != nil {
            statement.bind(1, window.since ?? .min)
            statement.bind(2, window.until ?? .max)
        }
        var counts = TransitionCounter()
        _ = try statement.firstMatch { row in
            counts.add(from: row.isNull(0) ? nil : row.text(bytes: 0), to: row.text(bytes: 1),
                       applied: Verdict.changesSnapshot(rawBytes: row.text(bytes: 2)))
            return false
        }
        return counts.entries.map { entry in
            ReportRows.Transition(
                from: entry.from.map { String(decoding: $0, as: UTF8.self) },
                to: String(decoding: entry.to, as: UTF8.self), applied: entry.applied, count: entry.count)
        }
    }
}

/// Counts transitions keyed by the bytes SQLite hands out, copying them only the first time
/// a transition is seen (a few dozen times per report, not once per event).
private struct TransitionCounter {
    struct Entry {
        var from: [UInt8]?
        var to: [UInt8]
        var applied: Bool
        var count: Int
    }

    private(set) var entries: [Entry] = []
    private var index: [UInt64: [Int]] = [:]

    mutating func add(from: UnsafeRawBufferPointer?, to: UnsafeRawBufferPointer, applied: Bool) {
        var h = FNV1a()
        if let from { h.combine(bytes: from) } else { h.combine(byte: 0xFF) }
        h.combine(byte: 0x1F)
        h.combine(bytes: to)
        h.combine(byte: applied ? 1 : 0)
        for i in index[h.value, default: []] {
            let e = entries[i]
            if e.applied == applied, e.to.elementsEqual(to), (e.from == nil) == (from == nil),
                from.map({ e.from!.elementsEqual($0) }) ?? true
            {
                entries[i].count += 1
                return
            }
        }
        index[h.value, default: []].append(entries.count)
        entries.append(Entry(from: from.map { Array($0) }, to: Array(to), applied: applied, count: 1))
    }
}

extension Verdict {
    /// Whether a stored verdict (`applied` / `out_of_order` …) changed the snapshot.
    package static func changesSnapshot(rawBytes bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.elementsEqual(Verdict.applied.rawValue.utf8) || bytes.elementsEqual(Verdict.outOfOrder.rawValue.utf8)
    }
}

/// The report window as SQL: `ts >= since AND ts < until`, or no condition at all.
package struct ReportWindow {
    package let since: Int64?
    package let until: Int64?

    package init(_ options: ReportOptions) {
        since = options.since
        until = options.until
    }

    package var sql: String { sql(column: "ts") }

    package func sql(column: String) -> String {
        since == nil && until == nil ? "1" : "\(column) >= ? AND \(column) < ?"
    }

    package var arguments: StatementArguments {
        since == nil && until == nil ? [] : [since ?? .min, until ?? .max]
    }
}
