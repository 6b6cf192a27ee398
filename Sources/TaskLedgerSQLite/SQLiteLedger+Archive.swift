import GRDB
import TaskLedgerCore

extension SQLiteLedger: LedgerArchiveSource {
    package func archiveBatch(
        before: Int64, limit: Int, archive: String, now: Int64, store: (ArchiveRows) throws -> Void
    ) throws -> ArchiveRows? {
        try writeTransaction { db in
            // The batch's tasks, chosen once: every statement below reads and deletes these.
            // task_events and the snapshot are found by the tasks' keys, the other tables by task.
            try db.execute(sql: """
                CREATE TEMP TABLE IF NOT EXISTS archive_batch (task TEXT PRIMARY KEY NOT NULL, task_key INTEGER) WITHOUT ROWID
                """)
            try db.execute(sql: "DELETE FROM temp.archive_batch")
            try db.execute(sql: """
                INSERT INTO temp.archive_batch
                SELECT task, task_key FROM task_state_snapshot
                WHERE terminal_ts IS NOT NULL AND terminal_ts < ? ORDER BY terminal_ts, task LIMIT ?
                """, arguments: [before, limit])
            let tasks = try String.fetchAll(db, sql: "SELECT task FROM temp.archive_batch ORDER BY task")
            guard !tasks.isEmpty else { return nil }
            var tables: [(name: String, rows: [[LedgerValue]])] = []
            for table in LedgerSchema.archived {
                let quoted = table.columns.map { "\"\($0)\"" }
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT \(quoted.joined(separator: ", ")) FROM \(table.name)
                    WHERE \(Self.batchCondition(table.name)) ORDER BY \(quoted[0])
                    """)
                var page: [[LedgerValue]] = []
                while let row = try rows.next() { page.append(row.databaseValues.map(LedgerValue.init)) }
                tables.append((table.name, page))
            }
            let batch = ArchiveRows(tasks: tasks, tables: tables)
            try store(batch)
            for table in LedgerSchema.archived {
                try db.execute(sql: "DELETE FROM \(table.name) WHERE \(Self.batchCondition(table.name))")
            }
            try db.execute(sql: "DELETE FROM task_keys WHERE task_key IN (SELECT task_key FROM temp.archive_batch)")
            // Rows are gone: a later row may get a seq the stored filter claims to cover.
            try StoredFilter.forget(db)
            try db.execute(sql: """
                INSERT INTO ledger_archives (path, before_ts, tasks, events, first_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (path) DO UPDATE SET before_ts = max(before_ts, excluded.before_ts),
                    tasks = tasks + excluded.tasks, events = events + excluded.events, updated_at = excluded.updated_at
                """, arguments: [archive, before, tasks.count, batch.count(of: "task_events"), now, now])
            return batch
        }
    }

    /// The rows of `table` that belong to the batch's tasks.
    private static func batchCondition(_ table: String) -> String {
        table == "task_events" || table == "task_state_snapshot"
            ? "task_key IN (SELECT task_key FROM temp.archive_batch)"
            : "task IN (SELECT task FROM temp.archive_batch)"
    }
}

extension SQLiteLedger: LedgerArchiveDestination {
    package func storeArchived(_ rows: ArchiveRows) throws {
        try writeTransaction { db in
            let keys = try TaskKeys(db)
            for (name, tableRows) in rows.tables {
                guard let columns = LedgerSchema.archived.first(where: { $0.name == name })?.columns else { continue }
                // task_events also gets its id_key and task_key, the snapshot its task_key, which
                // the copied columns leave out.
                let events = name == "task_events", snapshots = name == "task_state_snapshot"
                let names = columns + (events ? ["id_key", "task_key"] : snapshots ? ["task_key"] : [])
                let verb = name == "task_state_snapshot" ? "INSERT OR REPLACE" : "INSERT OR IGNORE"
                let insert = try db.cachedStatement(sql: """
                    \(verb) INTO \(name) (\(names.map { "\"\($0)\"" }.joined(separator: ", ")))
                    VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))
                    """)
                let owner = try db.cachedStatement(sql: "SELECT task FROM \(name) WHERE \"\(columns[0])\" = ?")
                // Every stored row gets its pair in the tail, as the write path gives it: its id's
                // key, or its content key without an id.
                let addID = try db.cachedStatement(sql: "INSERT INTO event_ids_tail (id_key, seq) VALUES (?, ?)")
                let taskColumn = columns.firstIndex(of: "task")!
                let eventID = columns.firstIndex(of: "event_id"), contentKey = columns.firstIndex(of: "content_key")
                for row in tableRows {
                    var values = row.map(\.databaseValue)
                    if events, let eventID {
                        values.append(row[eventID].text.map { DedupeFilter.Key.id($0).stored.databaseValue } ?? .null)
                    }
                    if events || snapshots { values.append(try keys.key(of: row[taskColumn].text ?? "").databaseValue) }
                    try insert.execute(arguments: StatementArguments(values))
                    if events, db.changesCount == 1 {
                        let key = Int64.fromDatabaseValue(values[names.count - 2]) ?? Int64.fromDatabaseValue(values[contentKey!])
                        try addID.execute(arguments: [key, values[0]])
                    }
                    // Ignored: a batch stored before a crash (the same task's row), or a row of
                    // something else under the same key. A delivery's (channel, key) may have been
                    // sent again since an earlier archive: the archive keeps the first.
                    guard db.changesCount == 0, name != "delivery_log" else { continue }
                    let held = try String.fetchOne(owner, arguments: [values[0]])
                    if held != row[taskColumn].text {
                        throw LedgerError.database(path: location, message: """
                            \(name) already holds \(columns[0]) \(row[0]) of another task ('\(held ?? "")', not '\(row[taskColumn].text ?? "")'): \
                            it is not this ledger's archive; archive into a new file or into this ledger's earlier archive
                            """)
                    }
                }
            }
            try Schema.mergeTail(db, limit: tailLimit)
            try Schema.mergeTaskHashes(db, limit: taskTailLimit)
        }
    }
}

/// Tasks' keys for rows stored other than by the write path (an archive's batch), each looked
/// up or handed out once per batch.
private final class TaskKeys {
    private let statements: TaskKeyStatements
    private var known: [String: Int64] = [:]

    init(_ db: Database) throws { statements = try TaskKeyStatements(db) }

    func key(of task: String) throws -> Int64 {
        if let key = known[task] { return key }
        let key = try statements.stored(task) ?? statements.add(task)
        known[task] = key
        return key
    }
}

extension LedgerValue {
    /// A value as SQLite hands it: REALs and BLOBs (which no ledger column holds) as text.
    package init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let n): self = .integer(n)
        case .double(let d): self = .text(String(d))
        case .string(let s): self = .text(s)
        case .blob(let b): self = .text(String(decoding: b, as: UTF8.self))
        }
    }

    package var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let n): n.databaseValue
        case .text(let s): s.databaseValue
        }
    }

    /// The text, if the value is text.
    package var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}
