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
        try transaction { conn in
            switch locking {
            case .task(let task):
                try conn.exec("SELECT pg_advisory_xact_lock_shared(\(PostgresSchema.lockSpace), \(PostgresSchema.writeLock))")
                try conn.exec("SELECT pg_advisory_xact_lock(\(PostgresLedger.lockKey(task: task)))")
            case .ledger:
                try conn.exec("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockSpace), \(PostgresSchema.writeLock))")
            }
            var judge = try prepareJudge(for: batch, conn: conn)
            for line in batch.lines {
                switch line {
                case .event(let event, let number, let raw):
                    judge.record(event, origin: EventOrigin(file: batch.file, line: number), raw: { batch.text(raw) })
                case .reject(let reject, let number, let raw):
                    judge.reject(reject, origin: EventOrigin(file: batch.file, line: number), raw: batch.text(raw))
                }
            }
            try conn.copy(judge.events, into: "task_events", columns: BatchJudge.eventColumns)
            try conn.copy(judge.rejects, into: "import_rejects", columns: BatchJudge.rejectColumns)
            try PostgresLedger.saveSnapshots(judge.changed.compactMap { judge.snapshots[$0] }, conn: conn)
            if let c = checkpoint {
                try conn.exec("""
                    INSERT INTO import_files (path, head_hash, head_length, "offset", lines, compressed, updated_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    ON CONFLICT (path) DO UPDATE SET head_hash = EXCLUDED.head_hash, head_length = EXCLUDED.head_length,
                        "offset" = EXCLUDED."offset", lines = EXCLUDED.lines, compressed = EXCLUDED.compressed,
                        updated_at = EXCLUDED.updated_at
                    """, params: [c.path, String(c.headHash), String(c.headLength), String(c.offset), String(c.lines),
                                  c.compressed ? "1" : "0", String(now)])
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
    private func prepareJudge(for batch: PendingBatch, conn: PGConnection) throws -> BatchJudge {
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
        let rows = try conn.exec(
            "SELECT \(PostgresLedger.snapshotColumns) FROM task_state_snapshot WHERE task = ANY($1::text[])",
            params: [PGArrayLiteral.text(tasks)])
        for row in rows.rows {
            let snapshot = try PostgresLedger.snapshot(row)
            snapshots[snapshot.task] = snapshot
        }
        var storedIDs = Set<String>()
        if !ids.isEmpty {
            let rows = try conn.exec(
                "SELECT event_id FROM task_events WHERE event_id = ANY($1::text[])", params: [PGArrayLiteral.text(ids)])
            for row in rows.rows { storedIDs.insert(try row.text(0)) }
        }
        var contents = Set<EventContent>()
        if !keys.isEmpty {
            let rows = try conn.exec("""
                SELECT task, state, ts, actor, source, stage, detail FROM task_events
                WHERE event_id IS NULL AND content_key = ANY($1::bigint[])
                """, params: [PGArrayLiteral.integers(keys)])
            for c in rows.rows {
                contents.insert(EventContent(
                    task: try c.text(0), state: try c.text(1), timestamp: try c.int64(2), actor: try c.text(3),
                    source: try c.text(4), stage: try c.text(5), detail: try c.text(6)))
            }
        }
        return BatchJudge(rules: rules, snapshots: snapshots, ids: storedIDs, contents: contents)
    }

    private static func saveSnapshots(_ snapshots: [Snapshot], conn: PGConnection) throws {
        guard !snapshots.isEmpty else { return }
        try conn.exec("""
            INSERT INTO task_state_snapshot (task, state, stage, actor, source, first_ts, last_ts, terminal_ts, partial)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                 $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
            ON CONFLICT (task) DO UPDATE SET state = EXCLUDED.state, stage = EXCLUDED.stage, actor = EXCLUDED.actor,
                source = EXCLUDED.source, first_ts = EXCLUDED.first_ts, last_ts = EXCLUDED.last_ts,
                terminal_ts = EXCLUDED.terminal_ts, partial = EXCLUDED.partial
            """, params: [
                PGArrayLiteral.text(snapshots.map(\.task)), PGArrayLiteral.text(snapshots.map(\.state)),
                PGArrayLiteral.text(snapshots.map(\.stage)), PGArrayLiteral.text(snapshots.map(\.actor)),
                PGArrayLiteral.text(snapshots.map(\.source)), PGArrayLiteral.integers(snapshots.map(\.firstTimestamp)),
                PGArrayLiteral.integers(snapshots.map(\.lastTimestamp)),
                PGArrayLiteral.integers(snapshots.map(\.terminalTimestamp)),
                PGArrayLiteral.integers(snapshots.map { Int64($0.partial ? 1 : 0) }),
            ])
    }
}
