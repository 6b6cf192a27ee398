import PostgresNIO
import TaskLedgerCore

/// Lines to judge and store in one transaction: decoded events and rejects of one file (or one
/// live write), with their raw bytes back to back (needed only for rejects and duplicates).
package struct PendingBatch: Sendable {
    package enum Line: Sendable {
        case event(StatusEvent, line: Int?, raw: Range<Int>)
        case reject(LineReject, line: Int?, raw: Range<Int>)
    }

    package var file: String
    package var lines: [Line] = []
    package var rawBytes: [UInt8] = []

    package func text(_ range: Range<Int>) -> String { String(decoding: rawBytes[range], as: UTF8.self) }
}

extension PostgresLedger {
    /// How a batch keeps other writers away from its tasks.
    package enum Locking: Sendable {
        /// A live write: the ledger's write lock shared, then the task's own lock.
        case task(String)
        /// An import batch: the ledger's write lock exclusively (one lock, however many tasks).
        case ledger
    }

    /// Judges `batch` and stores it, with `checkpoint`, in one transaction; returns one verdict per line.
    package func commit(_ batch: PendingBatch, locking: Locking, checkpoint: Checkpoint? = nil, now: Int64) throws -> [Verdict] {
        let rules = rules, logger = logger
        return try transaction { conn in
            switch locking {
            case .task(let task):
                try await conn.query(
                    "SELECT pg_advisory_xact_lock_shared(\(PostgresSchema.lockSpace), \(PostgresSchema.writeLock))", logger: logger)
                try await conn.query("SELECT pg_advisory_xact_lock(\(PostgresLedger.lockKey(task: task)))", logger: logger)
            case .ledger:
                try await conn.query(
                    "SELECT pg_advisory_xact_lock(\(PostgresSchema.lockSpace), \(PostgresSchema.writeLock))", logger: logger)
            }
            var judge = try await PostgresLedger.prepareJudge(for: batch, rules: rules, conn: conn, logger: logger)
            for line in batch.lines {
                switch line {
                case .event(let event, let number, let raw):
                    judge.record(event, origin: EventOrigin(file: batch.file, line: number), raw: { batch.text(raw) })
                case .reject(let reject, let number, let raw):
                    judge.reject(reject, origin: EventOrigin(file: batch.file, line: number), raw: batch.text(raw))
                }
            }
            try await conn.copy(judge.events, into: "task_events", columns: BatchJudge.eventColumns, logger: logger)
            try await conn.copy(judge.rejects, into: "import_rejects", columns: BatchJudge.rejectColumns, logger: logger)
            try await PostgresLedger.saveSnapshots(judge.changed.compactMap { judge.snapshots[$0] }, conn: conn, logger: logger)
            if let c = checkpoint {
                try await conn.query("""
                    INSERT INTO import_files (path, head_hash, head_length, "offset", lines, compressed, updated_at)
                    VALUES (\(c.path), \(c.headHash), \(Int64(c.headLength)), \(c.offset), \(Int64(c.lines)), \(c.compressed ? 1 : 0), \(now))
                    ON CONFLICT (path) DO UPDATE SET head_hash = EXCLUDED.head_hash, head_length = EXCLUDED.head_length,
                        "offset" = EXCLUDED."offset", lines = EXCLUDED.lines, compressed = EXCLUDED.compressed,
                        updated_at = EXCLUDED.updated_at
                    """, logger: logger)
            }
            return judge.verdicts
        }
    }

    /// The key of a task's advisory lock: its FNV-1a hash (a collision only serialises two tasks).
    package static func lockKey(task: String) -> Int64 {
        var h = FNV1a()
        h.combine(task)
        return h.signed
    }

    /// Loads what judging `batch` needs, in three queries: its tasks' snapshots, which of its
    /// ids are stored, and the stored id-less events sharing a content key with its id-less events.
    private static func prepareJudge(
        for batch: PendingBatch, rules: Rules, conn: PostgresConnection, logger: Logger
    ) async throws -> BatchJudge {
        var tasks = Set<String>(), ids = Set<String>(), keys = Set<Int64>()
        for line in batch.lines {
            switch line {
            case .event(let e, _, _):
                tasks.insert(e.task)
                if let id = e.id { ids.insert(id) } else { keys.insert(e.contentKey(state: rules.canonicalState(e.state) ?? e.state)) }
            case .reject(let r, _, _):
                if let task = r.task { tasks.insert(task) }
            }
        }
        var snapshots: [String: Snapshot] = [:]
        let rows = try await conn.query("""
            SELECT task, state, stage, actor, source, first_ts, last_ts, terminal_ts
            FROM task_state_snapshot WHERE task = ANY(\(Array(tasks)))
            """, logger: logger)
        for try await s in rows.decode((String, String, String, String, String, Int64, Int64, Int64?).self) {
            snapshots[s.0] = Snapshot(
                task: s.0, state: s.1, stage: s.2, actor: s.3, source: s.4, firstTimestamp: s.5, lastTimestamp: s.6,
                terminalTimestamp: s.7)
        }
        var storedIDs = Set<String>()
        if !ids.isEmpty {
            let rows = try await conn.query(
                "SELECT event_id FROM task_events WHERE event_id = ANY(\(Array(ids)))", logger: logger)
            for try await id in rows.decode(String.self) { storedIDs.insert(id) }
        }
        var contents = Set<EventContent>()
        if !keys.isEmpty {
            let rows = try await conn.query("""
                SELECT task, state, ts, actor, source, stage, detail FROM task_events
                WHERE event_id IS NULL AND content_key = ANY(\(Array(keys)))
                """, logger: logger)
            for try await c in rows.decode((String, String, Int64, String, String, String, String).self) {
                contents.insert(EventContent(task: c.0, state: c.1, timestamp: c.2, actor: c.3, source: c.4, stage: c.5, detail: c.6))
            }
        }
        return BatchJudge(rules: rules, snapshots: snapshots, ids: storedIDs, contents: contents)
    }

    private static func saveSnapshots(_ snapshots: [Snapshot], conn: PostgresConnection, logger: Logger) async throws {
        guard !snapshots.isEmpty else { return }
        // Arrays of optionals are not bindable: Int64.min (far before year 1) stands for NULL.
        try await conn.query("""
            INSERT INTO task_state_snapshot (task, state, stage, actor, source, first_ts, last_ts, terminal_ts)
            SELECT t, s, g, a, o, f, l, NULLIF(x, \(Int64.min))
            FROM unnest(\(snapshots.map(\.task)), \(snapshots.map(\.state)), \(snapshots.map(\.stage)),
                        \(snapshots.map(\.actor)), \(snapshots.map(\.source)), \(snapshots.map(\.firstTimestamp)),
                        \(snapshots.map(\.lastTimestamp)), \(snapshots.map { $0.terminalTimestamp ?? .min }))
                AS u(t, s, g, a, o, f, l, x)
            ON CONFLICT (task) DO UPDATE SET state = EXCLUDED.state, stage = EXCLUDED.stage, actor = EXCLUDED.actor,
                source = EXCLUDED.source, first_ts = EXCLUDED.first_ts, last_ts = EXCLUDED.last_ts,
                terminal_ts = EXCLUDED.terminal_ts
            """, logger: logger)
    }
}
