import GRDB

/// The one write path: judges events against the snapshot and appends them, inside a write
/// transaction the caller owns. Live `write` records one event per transaction; the importer
/// records many, then calls ``flush()`` before committing.
///
/// Snapshots are cached for the life of the recorder and written back by ``flush()``; a
/// recorder must not outlive its transaction unless nothing else can write in between.
final class EventRecorder {
    let db: Database
    let rules: Rules
    private var snapshots: [String: Snapshot?] = [:]
    private var dirty: Set<String> = []

    init(db: Database, rules: Rules) {
        self.db = db
        self.rules = rules
    }

    /// Judges `event` and stores it: in `task_events` (any verdict but duplicate, with the
    /// snapshot updated when applied or out of order) or in `import_rejects` as a duplicate.
    @discardableResult
    func record(_ event: StatusEvent, origin: EventOrigin, raw: @autoclosure () -> String = "") throws -> Verdict {
        let canonical = rules.canonicalState(event.state)
        let storedState = canonical ?? event.state
        let contentKey = event.contentKey(state: storedState)
        let snapshot = try self.snapshot(event.task)
        let duplicate = try isDuplicate(event, storedState: storedState, contentKey: contentKey)
        let verdict = rules.judge(
            canonical: canonical, timestamp: event.timestamp, snapshot: snapshot, isDuplicate: duplicate)
        if verdict == .duplicate {
            try storeReject(
                kind: "duplicate", origin: origin, task: event.task, fromState: snapshot?.state,
                toState: storedState, timestamp: event.timestamp, id: event.id,
                message: event.id.map { "event id '\($0)' is already in the ledger" }
                    ?? "the same event (task, state, ts, actor, source, stage, detail) is already in the ledger",
                raw: raw())
            return verdict
        }
        try db.cachedStatement(sql: """
            INSERT INTO task_events (task, state, verdict, from_state, ts, event_id, content_key,
                actor, source, stage, detail, attrs, file, line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                event.task, storedState, verdict.rawValue, snapshot?.state, event.timestamp, event.id,
                contentKey, event.actor, event.source, event.stage, event.detail, event.attrs,
                origin.file, origin.line,
            ])
        if verdict.changesSnapshot, let state = canonical {
            let terminal = rules.isTerminal(state)
            snapshots[event.task] = snapshot?.applying(event, state: state, terminal: terminal)
                ?? Snapshot.first(event, state: state, terminal: terminal)
            dirty.insert(event.task)
        }
        return verdict
    }

    /// Stores a line that could not become an event.
    func reject(_ reject: LineReject, origin: EventOrigin, raw: String) throws {
        let fromState = try reject.task.flatMap { try snapshot($0)?.state }
        let toState = reject.state.map { rules.canonicalState($0) ?? $0 }
        try storeReject(
            kind: reject.kind.rawValue, origin: origin, task: reject.task, fromState: fromState,
            toState: toState, timestamp: reject.timestamp, id: reject.id, message: reject.message, raw: raw)
    }

    /// Writes every snapshot changed since the last flush.
    func flush() throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO task_state_snapshot
                (task, state, stage, actor, source, first_ts, last_ts, terminal_ts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for task in dirty {
            guard let s = snapshots[task] ?? nil else { continue }
            try upsert.execute(arguments: [
                s.task, s.state, s.stage, s.actor, s.source, s.firstTimestamp, s.lastTimestamp,
                s.terminalTimestamp,
            ])
        }
        dirty.removeAll(keepingCapacity: true)
    }

    /// Forgets cached snapshots (after a rollback, or when another writer may have committed).
    func discardCache() {
        snapshots.removeAll(keepingCapacity: true)
        dirty.removeAll(keepingCapacity: true)
    }

    func snapshot(_ task: String) throws -> Snapshot? {
        if let cached = snapshots[task] { return cached }
        let loaded = try Snapshot.fetch(db, task: task)
        snapshots[task] = .some(loaded)
        return loaded
    }

    private func isDuplicate(_ event: StatusEvent, storedState: String, contentKey: Int64) throws -> Bool {
        if let id = event.id {
            return try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM task_events WHERE event_id = ?"),
                arguments: [id]) ?? false
        }
        let candidates = try Row.fetchCursor(
            db.cachedStatement(sql: """
                SELECT task, state, ts, actor, source, stage, detail FROM task_events
                WHERE content_key = ? AND event_id IS NULL
                """),
            arguments: [contentKey])
        while let row = try candidates.next() {
            if row[0] == event.task, row[1] == storedState, row[2] == event.timestamp,
                row[3] == event.actor, row[4] == event.source, row[5] == event.stage,
                row[6] == event.detail
            {
                return true
            }
        }
        return false
    }

    private func storeReject(
        kind: String, origin: EventOrigin, task: String?, fromState: String?, toState: String?,
        timestamp: Int64?, id: String?, message: String, raw: String
    ) throws {
        try db.cachedStatement(sql: """
            INSERT INTO import_rejects (file, line, kind, task, from_state, to_state, ts, event_id, message, raw)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                origin.file, origin.line, kind, task, fromState, toState, timestamp, id, message, raw,
            ])
    }
}

extension Snapshot {
    static func fetch(_ db: Database, task: String) throws -> Snapshot? {
        try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT task, state, stage, actor, source, first_ts, last_ts, terminal_ts
                FROM task_state_snapshot WHERE task = ?
                """),
            arguments: [task]
        ).map(Snapshot.init(row:))
    }

    init(row: Row) {
        self.init(
            task: row[0], state: row[1], stage: row[2], actor: row[3], source: row[4],
            firstTimestamp: row[5], lastTimestamp: row[6], terminalTimestamp: row[7])
    }
}
