import TaskLedgerCore

extension PostgresLedger: LedgerArchiveSource {
    package func archiveBatch(
        before: Int64, limit: Int, archive: String, now: Int64, store: (ArchiveRows) throws -> Void
    ) throws -> ArchiveRows? {
        try transaction { conn in
            // Exclusive, as an importing batch takes it: no writer adds to these tasks meanwhile.
            try conn.exec("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockSpace), \(PostgresSchema.writeLock))")
            let tasks = try conn.exec("""
                SELECT task FROM (SELECT task, terminal_ts FROM task_state_snapshot
                    WHERE terminal_ts IS NOT NULL AND terminal_ts < $1 ORDER BY terminal_ts, task LIMIT $2) batch
                ORDER BY task COLLATE "C"
                """, params: [String(before), String(limit)]).rows.map { try $0.text(0) }
            guard !tasks.isEmpty else { return nil }
            let list = PGArrayLiteral.text(tasks)
            var tables: [(name: String, rows: [[LedgerValue]])] = []
            for table in LedgerSchema.archived {
                let quoted = table.columns.map { "\"\($0)\"" }
                let result = try conn.exec("""
                    SELECT \(quoted.joined(separator: ", ")) FROM \(table.name)
                    WHERE task = ANY($1::text[]) ORDER BY \(quoted[0])
                    """, params: [list])
                let integers = (0..<result.columnCount).map(result.isInteger)
                tables.append((table.name, (0..<result.rowCount).map { row in
                    (0..<result.columnCount).map { column in
                        guard let text = result.string(row, column) else { return .null }
                        return integers[column] ? Int64(text).map(LedgerValue.integer) ?? .text(text) : .text(text)
                    }
                }))
            }
            let batch = ArchiveRows(tasks: tasks, tables: tables)
            try store(batch)
            for table in LedgerSchema.archived {
                try conn.exec("DELETE FROM \(table.name) WHERE task = ANY($1::text[])", params: [list])
            }
            try conn.exec("""
                INSERT INTO ledger_archives (path, before_ts, tasks, events, first_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
                ON CONFLICT (path) DO UPDATE SET before_ts = greatest(ledger_archives.before_ts, excluded.before_ts),
                    tasks = ledger_archives.tasks + excluded.tasks, events = ledger_archives.events + excluded.events,
                    updated_at = excluded.updated_at
                """, params: [archive, String(before), String(tasks.count), String(batch.count(of: "task_events")), String(now)])
            return batch
        }
    }
}

extension PostgresLedger: LedgerArchiveDestination {
    package func storeArchived(_ rows: ArchiveRows) throws {
        try transaction { conn in
            try conn.exec("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockSpace), \(PostgresSchema.writeLock))")
            for (name, tableRows) in rows.tables where !tableRows.isEmpty {
                guard let columns = LedgerSchema.archived.first(where: { $0.name == name })?.columns else { continue }
                let quoted = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                // COPY cannot skip rows already there: the rows go to a scratch table first.
                let scratch = "archive_in_\(name)"
                try conn.exec("CREATE TEMP TABLE \(scratch) (LIKE \(name)) ON COMMIT DROP")
                try conn.copy(CopyText(rows: tableRows), into: scratch, columns: columns)
                let key = "\"\(columns[0])\""
                let onConflict = name == "task_state_snapshot"
                    ? "ON CONFLICT (task) DO UPDATE SET " + columns.dropFirst().map { "\"\($0)\" = excluded.\"\($0)\"" }.joined(separator: ", ")
                    : "ON CONFLICT DO NOTHING"
                try conn.exec("INSERT INTO \(name) (\(quoted)) SELECT \(quoted) FROM \(scratch) \(onConflict)")
                // Rows left out must be this batch's own, stored before a crash (a delivery's
                // (channel, key) sent again since an earlier archive: the archive keeps the first).
                guard name != "delivery_log" else { continue }
                let foreign = try conn.exec("""
                    SELECT s.\(key)::text, coalesce(t.task, '') FROM \(scratch) s LEFT JOIN \(name) t ON t.\(key) = s.\(key)
                    WHERE t.task IS DISTINCT FROM s.task LIMIT 1
                    """)
                if let row = foreign.first {
                    throw LedgerError.database(path: location, message: """
                        \(name) already holds \(columns[0]) \(try row.text(0)) of another task ('\(try row.text(1))') or the same \
                        id under another \(columns[0]): it is not this ledger's archive; archive into a new database or into this \
                        ledger's earlier archive
                        """)
                }
            }
            try PostgresLedger.continueIdentities(conn)
        }
    }
}
