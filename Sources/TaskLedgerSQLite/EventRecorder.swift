import GRDB
import TaskLedgerCore

/// The one write path: judges events against the snapshot and appends them, inside a write
/// transaction the caller owns. Live `write` records one event per transaction; the importer
/// records many, then calls ``flush()`` before committing.
///
/// Snapshots are read through a ``SnapshotCache`` and written back by ``flush()``. Judged events
/// wait in a short queue and are inserted ``rowsPerInsert`` at a time, because a single-row
/// INSERT pays for opening and closing a cursor on the table and each index every time
/// (callgrind: about an eighth of the import's writing thread); the queue is inserted before any
/// query that must see it and by ``flush()``. A recorder lives for one transaction; its cache
/// may live longer (see ``SnapshotCache``).
package final class EventRecorder {
    package let db: Database
    package let rules: Rules
    package let cache: SnapshotCache
    /// See ``SQLiteLedger/tailLimit`` and ``SQLiteLedger/taskTailLimit``.
    private let tailLimit: Int
    private let taskTailLimit: Int
    /// Task keys handed out since the last ``flush()``, and the last of them.
    private var addedKeys = 0
    private var lastAddedKey: Int64 = 0

    /// Rows per multi-row INSERT.
    package static let rowsPerInsert = 32
    /// Parameters per row; `file`, the same for a whole import, is parameter 1 of the multi-row
    /// INSERT, shared by its rows.
    private static let columns = Int32(15)
    private let insertEvent: BoundStatement
    /// Prepared on first use: a live write never fills a group.
    private var insertEvents: BoundStatement?
    /// Judged events not inserted yet, in arrival order.
    private var pending: [PendingRow] = []
    /// Events inserted since the last ``flush()``, and the `seq` of the last one.
    private var inserted = 0
    private var lastSeq: Int64 = 0
    /// `(key, seq)` of the events inserted since their keys were last written to
    /// `event_ids_tail` (by ``flush()``, or by a probe for one of their keys that the first
    /// row with the key does not answer), and the seq of the first row with each key. The key
    /// is the event's dedupe key: its id's hash, or its content key without an id (v7).
    /// Written in key order in one pass instead of one random insert per event (what the
    /// trigger of version 5 did: 3.4 s of night 9's 10.8 s import into a fresh ledger).
    private var unwrittenIDs: [IDPair] = []
    private var unwrittenSeqs: [Int64: Int64] = [:]
    private let findRowBySeq: BoundStatement
    private var insertIDs: BoundStatement?
    private let insertID: BoundStatement
    private let insertReject: BoundStatement
    private let findRows: BoundStatement
    private let updateSnapshot: BoundStatement
    private let insertSnapshot: BoundStatement
    private let findSnapshot: BoundStatement
    private let taskKeys: TaskKeyStatements

    package init(
        db: Database, rules: Rules, cache: SnapshotCache = SnapshotCache(), tailLimit: Int = Schema.tailLimit,
        taskTailLimit: Int = Schema.taskTailLimit
    ) throws {
        self.db = db
        self.rules = rules
        self.cache = cache
        self.tailLimit = tailLimit
        self.taskTailLimit = taskTailLimit
        insertEvent = BoundStatement(try db.cachedStatement(sql: Self.insertOneSQL), in: db)
        // Bound with explicit lengths: `raw` is the line verbatim, NUL bytes included.
        insertReject = BoundStatement(try db.cachedStatement(sql: """
            INSERT INTO import_rejects (file, line, kind, task, from_state, to_state, ts, event_id, message, raw)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """), in: db)
        // The rows with a dedupe key, in the merged keys, the mid table and the tail (see
        // Schema.mergeTail), with what ``matches(_:_:)`` compares.
        findRows = BoundStatement(try db.cachedStatement(sql: """
            SELECT \(Self.compared) FROM event_ids i JOIN task_events e ON e.seq = i.seq WHERE i.id_key = ?1
            UNION ALL
            SELECT \(Self.compared) FROM event_ids_mid m JOIN task_events e ON e.seq = m.seq WHERE m.id_key = ?1
            UNION ALL
            SELECT \(Self.compared) FROM event_ids_tail t JOIN task_events e ON e.seq = t.seq WHERE t.id_key = ?1
            """), in: db)
        findSnapshot = BoundStatement(try db.cachedStatement(sql: """
            SELECT task, state, stage, actor, source, first_ts, last_ts, terminal_ts, partial
            FROM task_state_snapshot WHERE task_key = ?
            """), in: db)
        // UPDATE, then INSERT if there was no row: one row each, OR FAIL, so that SQLite keeps
        // no statement journal for them. INSERT OR REPLACE needs one (it may delete a row): a
        // copy of every page it changed, written to a temporary file once the first statement
        // of the transaction spilled it — 2.1 GB of writes in night 9's import (strace).
        updateSnapshot = BoundStatement(try db.cachedStatement(sql: """
            UPDATE OR FAIL task_state_snapshot SET task = ?2, state = ?3, stage = ?4, actor = ?5, source = ?6,
                first_ts = ?7, last_ts = ?8, terminal_ts = ?9, partial = ?10
            WHERE task_key = ?1
            """), in: db)
        insertSnapshot = BoundStatement(try db.cachedStatement(sql: """
            INSERT OR FAIL INTO task_state_snapshot
                (task_key, task, state, stage, actor, source, first_ts, last_ts, terminal_ts, partial)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            """), in: db)
        taskKeys = try TaskKeyStatements(db)
        insertID = BoundStatement(try db.cachedStatement(sql: Self.insertIDsSQL(rows: 1)), in: db)
        findRowBySeq = BoundStatement(try db.cachedStatement(sql: "SELECT \(Self.compared) FROM task_events e WHERE e.seq = ?"), in: db)
    }

    /// Judges `prepared` and stores it: in `task_events` (any verdict but duplicate, with the
    /// snapshot updated when applied or out of order) or in `import_rejects` as a duplicate.
    @discardableResult
    package func record(_ prepared: PreparedEvent, origin: EventOrigin, raw: @autoclosure () -> String = "") throws -> Verdict {
        let event = prepared.event
        let cached = try snapshot(event.task)
        let duplicate = try (prepared.maybeSeen || !cache.believesMaybeSeen) && isDuplicate(prepared)
        let verdict = rules.stateTable.judge(
            to: prepared.state, timestamp: event.timestamp, hasSnapshot: cached != nil, from: cached?.state,
            lastTimestamp: cached?.value.lastTimestamp ?? 0, isDuplicate: duplicate)
        if verdict == .duplicate {
            try storeReject(
                kind: "duplicate", origin: origin, task: event.task, fromState: cached?.value.state,
                toState: prepared.storedState, timestamp: event.timestamp, id: event.id,
                message: event.duplicateMessage,
                raw: raw())
            return verdict
        }
        let key = try taskKey(event.task)
        pending.append(PendingRow(prepared: prepared, verdict: verdict, fromState: cached?.value.state, origin: origin, taskKey: key))
        if pending.count == Self.rowsPerInsert { try insertPending() }
        if verdict.changesSnapshot, let state = prepared.state {
            let terminal = rules.stateTable.isTerminal(state)
            let name = rules.stateTable.names[state]
            if let cached {
                cached.value.apply(event, state: name, terminal: terminal)
                cached.state = state
                cache.markDirty(cached)
            } else {
                let partial = rules.stateTable.isPartialStart(state)
                cache.insert(CachedSnapshot(
                    Snapshot.first(event, state: name, terminal: terminal, partial: partial), state: state, key: key))
            }
        }
        return verdict
    }

    /// Stores a line that could not become an event.
    package func reject(_ reject: LineReject, origin: EventOrigin, raw: String) throws {
        let fromState = try reject.task.flatMap { try snapshot($0)?.value.state }
        let toState = reject.state.map { rules.canonicalState($0) ?? $0 }
        try storeReject(
            kind: reject.kind.rawValue, origin: origin, task: reject.task, fromState: fromState,
            toState: toState, timestamp: reject.timestamp, id: reject.id, message: reject.message, raw: raw)
    }

    /// Inserts the queued events, writes every snapshot changed since the last flush, and moves
    /// a full tail of ids into `event_ids`. Call before committing.
    package func flush() throws {
        try insertPending()
        try writeIDs()
        for cached in cache.takeDirty() {
            bind(cached, to: updateSnapshot)
            try updateSnapshot.execute()
            if db.changesCount == 0 {
                bind(cached, to: insertSnapshot)
                try insertSnapshot.execute()
            }
        }
        // Counting the tail walks its pages: it is counted when the events inserted since the
        // last flush pass a multiple of tailLimit / 64 in seq — every import transaction (far
        // more lines than that), one live write in that many — so the tail overshoots its limit
        // by at most that many ids.
        let interval = Int64(max(1, tailLimit / 64))
        if inserted > 0, lastSeq / interval != (lastSeq - Int64(inserted)) / interval {
            try Schema.mergeTail(db, limit: tailLimit)
        }
        inserted = 0
        // The same for the task hashes' tail, by the keys handed out (max + 1 each).
        let keyInterval = Int64(max(1, taskTailLimit / 64))
        if addedKeys > 0, lastAddedKey / keyInterval != (lastAddedKey - Int64(addedKeys)) / keyInterval {
            try Schema.mergeTaskHashes(db, limit: taskTailLimit)
        }
        addedKeys = 0
    }

    private func bind(_ cached: CachedSnapshot, to statement: BoundStatement) {
        let s = cached.value
        statement.bind(1, cached.key)
        statement.bind(2, s.task)
        statement.bind(3, s.state)
        statement.bind(4, s.stage)
        statement.bind(5, s.actor)
        statement.bind(6, s.source)
        statement.bind(7, s.firstTimestamp)
        statement.bind(8, s.lastTimestamp)
        statement.bind(9, s.terminalTimestamp)
        statement.bind(10, s.partial ? 1 : 0 as Int64)
    }

    /// The task's snapshot, from the cache or the ledger; nil if it has none. A task the
    /// ledger holds no key of has none; otherwise its key is cached with the snapshot.
    package func snapshot(_ task: String) throws -> CachedSnapshot? {
        if let cached = cache.lookup(task) { return cached }
        var loaded: CachedSnapshot?
        guard let key = try taskKeys.stored(task) else {
            cache.store(task, nil)
            return nil
        }
        findSnapshot.bind(1, key)
        _ = try findSnapshot.firstMatch { row in
            let state = row.text(1)
            loaded = CachedSnapshot(
                Snapshot(
                    task: row.text(0), state: state, stage: row.text(2), actor: row.text(3), source: row.text(4),
                    firstTimestamp: row.int64(5), lastTimestamp: row.int64(6),
                    terminalTimestamp: row.isNull(7) ? nil : row.int64(7), partial: row.int64(8) != 0),
                state: rules.stateTable.number(ofCanonical: state), key: key)
            return true
        }
        cache.store(task, loaded)
        cache.storeKey(task, key)
        return loaded
    }

    private struct PendingRow {
        let prepared: PreparedEvent
        let verdict: Verdict
        let fromState: String?
        let origin: EventOrigin
        let taskKey: Int64
    }

    /// The task's key in `task_keys`, handed out (max + 1) when its first row is stored, so
    /// that keys follow first-seen order. Call after ``snapshot(_:)`` for the same task (the
    /// cache keeps a key with the task's entry).
    private func taskKey(_ task: String) throws -> Int64 {
        switch cache.key(of: task) {
        case .some(.some(let key)):
            return key
        case .some(.none):
            break
        case .none:
            if let found = try taskKeys.stored(task) {
                cache.storeKey(task, found)
                return found
            }
        }
        let key = try taskKeys.add(task)
        addedKeys += 1
        lastAddedKey = key
        cache.storeKey(task, key)
        return key
    }

    private static let insertOneSQL = insertSQL(rows: 1)
    private static let insertManySQL = insertSQL(rows: rowsPerInsert)

    /// OR FAIL: a multi-row INSERT that may abort would keep a statement journal (a copy of
    /// every page it touches); FAIL needs none, and any failure rolls the whole transaction back
    /// anyway.
    private static func insertSQL(rows: Int) -> String {
        let insert = """
            INSERT OR FAIL INTO task_events (file, task, state, verdict, from_state, ts, event_id, content_key,
                actor, source, stage, detail, attrs, line, id_key, task_key) VALUES
            """
        func row(_ n: Int32) -> String {
            let first = 2 + n * columns
            return "(?1, " + (first..<first + columns).map { "?\($0)" }.joined(separator: ", ") + ")"
        }
        return insert + (0..<Int32(rows)).map(row).joined(separator: ", ")
    }

    /// An event's dedupe key and seq, as `event_ids_tail` holds them.
    private struct IDPair: Comparable {
        let key: Int64
        let seq: Int64
        static func < (a: IDPair, b: IDPair) -> Bool { (a.key, a.seq) < (b.key, b.seq) }
    }

    private static let idsPerInsert = 64

    private static func insertIDsSQL(rows: Int) -> String {
        // OR FAIL: no statement journal (see updateSnapshot); a pair stored twice is an error.
        "INSERT OR FAIL INTO event_ids_tail (id_key, seq) VALUES " + Array(repeating: "(?, ?)", count: rows).joined(separator: ", ")
    }

    /// Writes the keys of the rows inserted since the last call into `event_ids_tail`, in key order.
    private func writeIDs() throws {
        guard !unwrittenIDs.isEmpty else { return }
        defer {
            unwrittenIDs.removeAll(keepingCapacity: true)
            unwrittenSeqs.removeAll(keepingCapacity: true)
        }
        unwrittenIDs.sort()
        var start = 0
        let full = unwrittenIDs.count / Self.idsPerInsert * Self.idsPerInsert
        if full > 0 {
            let insertIDs = try insertIDs ?? BoundStatement(db.cachedStatement(sql: Self.insertIDsSQL(rows: Self.idsPerInsert)), in: db)
            self.insertIDs = insertIDs
            while start < full {
                for n in 0..<Self.idsPerInsert {
                    insertIDs.bind(Int32(2 * n + 1), unwrittenIDs[start + n].key)
                    insertIDs.bind(Int32(2 * n + 2), unwrittenIDs[start + n].seq)
                }
                try insertIDs.execute()
                start += Self.idsPerInsert
            }
        }
        for pair in unwrittenIDs[start...] {
            insertID.bind(1, pair.key)
            insertID.bind(2, pair.seq)
            try insertID.execute()
        }
    }

    /// Inserts the queued events: full groups through the multi-row statement, the rest one by one.
    private func insertPending() throws {
        guard !pending.isEmpty else { return }
        defer { pending.removeAll(keepingCapacity: true) }
        let file = pending[0].origin.file
        if pending.count == Self.rowsPerInsert, pending.allSatisfy({ $0.origin.file == file }) {
            let insertEvents = try insertEvents ?? BoundStatement(db.cachedStatement(sql: Self.insertManySQL), in: db)
            self.insertEvents = insertEvents
            insertEvents.bind(1, file)
            for (n, row) in pending.enumerated() { bind(row, to: insertEvents, at: 1 + Int32(n) * Self.columns) }
            try insertEvents.executeRebindingAll()
        } else {
            for row in pending {
                insertEvent.bind(1, row.origin.file)
                bind(row, to: insertEvent, at: 1)
                try insertEvent.executeRebindingAll()
            }
        }
        // The last row's seq; the rows of one statement, and of consecutive statements of this
        // transaction (which holds the write lock), got consecutive seqs: max(seq) + 1 each.
        inserted += pending.count
        lastSeq = db.lastInsertedRowID
        let firstSeq = lastSeq - Int64(pending.count) + 1
        for (n, row) in pending.enumerated() {
            let key = row.prepared.dedupeKey.stored
            unwrittenIDs.append(IDPair(key: key, seq: firstSeq + Int64(n)))
            if unwrittenSeqs[key] == nil { unwrittenSeqs[key] = firstSeq + Int64(n) }
        }
    }

    /// Binds every column of `row` but `file`, from parameter `offset + 1` on.
    private func bind(_ row: PendingRow, to statement: BoundStatement, at offset: Int32) {
        // The event's text is bound where PreparedEvent packed it: `pending` keeps the event
        // alive until the statement has run.
        let prepared = row.prepared
        statement.bind(offset + 1, inPlace: prepared.text(.task))
        statement.bind(offset + 2, inPlace: prepared.text(.storedState))
        statement.bind(offset + 3, inPlace: row.verdict.storedName)
        statement.bind(offset + 4, row.fromState)
        statement.bind(offset + 5, prepared.event.timestamp)
        statement.bind(offset + 6, inPlace: prepared.text(.id))
        statement.bind(offset + 7, prepared.contentKey)
        statement.bind(offset + 8, inPlace: prepared.text(.actor))
        statement.bind(offset + 9, inPlace: prepared.text(.source))
        statement.bind(offset + 10, inPlace: prepared.text(.stage))
        statement.bind(offset + 11, inPlace: prepared.text(.detail))
        statement.bind(offset + 12, inPlace: prepared.text(.attrs))
        statement.bind(offset + 13, row.origin.line)
        statement.bind(offset + 14, prepared.event.id == nil ? nil : prepared.dedupeKey.stored)
        statement.bind(offset + 15, row.taskKey)
    }

    /// Whether the ledger already holds the event. A queued event with the same dedupe key is
    /// inserted first so that the query sees it; otherwise the queue cannot hold a duplicate
    /// and stays (an import into a non-empty ledger probes every line: inserting the queue
    /// before each probe would make every INSERT single-row again).
    private func isDuplicate(_ prepared: PreparedEvent) throws -> Bool {
        let key = prepared.dedupeKey.value
        if pending.contains(where: { $0.prepared.dedupeKey.value == key }) { try insertPending() }
        // By the 64-bit key, then the full values: two ids, or an id and an id-less event's
        // content, may share a key. A key of this transaction's rows, not in the tail yet, is
        // answered by its first row; if that row is another event, every unwritten pair is
        // written and the probe decides (a duplicate shortly after the original is common:
        // writing the pairs for each would make the tail's inserts small and scattered again).
        if let seq = unwrittenSeqs[prepared.dedupeKey.stored] {
            findRowBySeq.bind(1, seq)
            if try findRowBySeq.firstMatch({ row in Self.matches(row, prepared) }) { return true }
            try writeIDs()
        }
        findRows.bind(1, prepared.dedupeKey.stored)
        return try findRows.firstMatch { row in Self.matches(row, prepared) }
    }

    /// The columns of a stored row that ``matches(_:_:)`` compares, `e` being `task_events`.
    private static let compared = "e.event_id, e.task, e.state, e.ts, e.actor, e.source, e.stage, e.detail"

    /// Whether a row of ``compared`` is the event: the same id, or, for an event without one, a
    /// row without one with the same content.
    private static func matches(_ row: BoundStatement.ColumnReader, _ prepared: PreparedEvent) -> Bool {
        let event = prepared.event
        if let id = event.id { return !row.isNull(0) && row.text(0) == id }
        return row.isNull(0) && row.text(1) == event.task && row.text(2) == prepared.storedState
            && row.int64(3) == event.timestamp && row.text(4) == event.actor && row.text(5) == event.source
            && row.text(6) == event.stage && row.text(7) == event.detail
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
    package static func fetch(_ db: Database, task: String) throws -> Snapshot? {
        try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT task, state, stage, actor, source, first_ts, last_ts, terminal_ts, partial
                FROM task_state_snapshot WHERE task_key = \(TaskKeyStatements.key(ofTaskAt: 1))
                """),
            arguments: [task]
        ).map { Snapshot(row: $0) }
    }

    /// The snapshot in `row`'s columns from `offset` on: task, state, stage, actor, source,
    /// first_ts, last_ts, terminal_ts, partial.
    package init(row: Row, from offset: Int = 0) {
        self.init(
            task: row[offset], state: row[offset + 1], stage: row[offset + 2], actor: row[offset + 3], source: row[offset + 4],
            firstTimestamp: row[offset + 5], lastTimestamp: row[offset + 6], terminalTimestamp: row[offset + 7],
            partial: row[offset + 8] as Int64 != 0)
    }
}
