import GRDB

/// The one write path: judges events against the snapshot and appends them, inside a write
/// transaction the caller owns. Live `write` records one event per transaction; the importer
/// records many, then calls ``flush()`` before committing.
///
/// Snapshots are read through a ``SnapshotCache`` and written back by ``flush()``. A recorder
/// lives for one transaction; its cache may live longer (see ``SnapshotCache``).
final class EventRecorder {
    let db: Database
    let rules: Rules
    let cache: SnapshotCache

    private let insertEvent: BoundStatement
    private let insertReject: BoundStatement
    private let findEventID: BoundStatement
    private let findContent: BoundStatement
    private let upsertSnapshot: BoundStatement
    private let findSnapshot: BoundStatement

    init(db: Database, rules: Rules, cache: SnapshotCache = SnapshotCache()) throws {
        self.db = db
        self.rules = rules
        self.cache = cache
        insertEvent = BoundStatement(try db.cachedStatement(sql: """
            INSERT INTO task_events (task, state, verdict, from_state, ts, event_id, content_key,
                actor, source, stage, detail, attrs, file, line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """), in: db)
        // Bound with explicit lengths: `raw` is the line verbatim, NUL bytes included.
        insertReject = BoundStatement(try db.cachedStatement(sql: """
            INSERT INTO import_rejects (file, line, kind, task, from_state, to_state, ts, event_id, message, raw)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """), in: db)
        findEventID = BoundStatement(try db.cachedStatement(sql: "SELECT 1 FROM task_events WHERE event_id = ?"), in: db)
        findContent = BoundStatement(try db.cachedStatement(sql: """
            SELECT task, state, ts, actor, source, stage, detail FROM task_events
            WHERE content_key = ? AND event_id IS NULL
            """), in: db)
        findSnapshot = BoundStatement(try db.cachedStatement(sql: """
            SELECT task, state, stage, actor, source, first_ts, last_ts, terminal_ts
            FROM task_state_snapshot WHERE task = ?
            """), in: db)
        upsertSnapshot = BoundStatement(try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO task_state_snapshot
                (task, state, stage, actor, source, first_ts, last_ts, terminal_ts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """), in: db)
    }

    /// Judges `event` and stores it: in `task_events` (any verdict but duplicate, with the
    /// snapshot updated when applied or out of order) or in `import_rejects` as a duplicate.
    @discardableResult
    func record(_ event: StatusEvent, origin: EventOrigin, raw: @autoclosure () -> String = "") throws -> Verdict {
        let canonical = rules.canonicalState(event.state)
        let storedState = canonical ?? event.state
        let contentKey = event.contentKey(state: storedState)
        let snapshot = try self.snapshot(event.task)
        let dedupeKey: DedupeFilter.Key = event.id.map(DedupeFilter.Key.id) ?? .content(contentKey)
        let duplicate = try cache.seen.mayContain(dedupeKey)
            && isDuplicate(event, storedState: storedState, contentKey: contentKey)
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
        insertEvent.bind(1, event.task)
        insertEvent.bind(2, storedState)
        insertEvent.bind(3, verdict.rawValue)
        insertEvent.bind(4, snapshot?.state)
        insertEvent.bind(5, event.timestamp)
        insertEvent.bind(6, event.id)
        insertEvent.bind(7, contentKey)
        insertEvent.bind(8, event.actor)
        insertEvent.bind(9, event.source)
        insertEvent.bind(10, event.stage)
        insertEvent.bind(11, event.detail)
        insertEvent.bind(12, event.attrs)
        insertEvent.bind(13, origin.file)
        insertEvent.bind(14, origin.line)
        try insertEvent.execute()
        cache.seen.add(dedupeKey)
        if verdict.changesSnapshot, let state = canonical {
            let terminal = rules.isTerminal(state)
            cache.update(snapshot?.applying(event, state: state, terminal: terminal)
                ?? Snapshot.first(event, state: state, terminal: terminal))
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
        for s in cache.takeDirty() {
            upsertSnapshot.bind(1, s.task)
            upsertSnapshot.bind(2, s.state)
            upsertSnapshot.bind(3, s.stage)
            upsertSnapshot.bind(4, s.actor)
            upsertSnapshot.bind(5, s.source)
            upsertSnapshot.bind(6, s.firstTimestamp)
            upsertSnapshot.bind(7, s.lastTimestamp)
            upsertSnapshot.bind(8, s.terminalTimestamp)
            try upsertSnapshot.execute()
        }
    }

    func snapshot(_ task: String) throws -> Snapshot? {
        if let cached = cache.lookup(task) { return cached }
        var loaded: Snapshot?
        findSnapshot.bind(1, task)
        _ = try findSnapshot.firstMatch { row in
            loaded = Snapshot(
                task: row.text(0), state: row.text(1), stage: row.text(2), actor: row.text(3), source: row.text(4),
                firstTimestamp: row.int64(5), lastTimestamp: row.int64(6),
                terminalTimestamp: row.isNull(7) ? nil : row.int64(7))
            return true
        }
        cache.store(task, loaded)
        return loaded
    }

    private func isDuplicate(_ event: StatusEvent, storedState: String, contentKey: Int64) throws -> Bool {
        if let id = event.id {
            findEventID.bind(1, id)
            return try findEventID.exists()
        }
        findContent.bind(1, contentKey)
        return try findContent.firstMatch { row in
            row.text(0) == event.task && row.text(1) == storedState && row.int64(2) == event.timestamp
                && row.text(3) == event.actor && row.text(4) == event.source && row.text(5) == event.stage
                && row.text(6) == event.detail
        }
    }

    private func storeReject(
        kind: String, origin: EventOrigin, task: String?, fromState: String?, toState: String?,
        timestamp: Int64?, id: String?, message: String, raw: String
    ) throws {
        insertReject.bind(1, origin.file)
        insertReject.bind(2, origin.line)
        insertReject.bind(3, kind)
        insertReject.bind(4, task)
        insertReject.bind(5, fromState)
        insertReject.bind(6, toState)
        insertReject.bind(7, timestamp)
        insertReject.bind(8, id)
        insertReject.bind(9, message)
        insertReject.bind(10, raw)
        try insertReject.execute()
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
