import GRDB

/// `task_keys` through prepared statements, for every writer of this store: a task's key as the
/// ledger holds it, or a new one for a task it has no row of — `INSERT` without a key, so SQLite
/// hands out max + 1 and keys follow the order tasks were first stored in.
package struct TaskKeyStatements {
    private let db: Database
    private let find: BoundStatement
    private let insert: BoundStatement

    package init(_ db: Database) throws {
        self.db = db
        find = BoundStatement(try db.cachedStatement(sql: "SELECT task_key FROM task_keys WHERE task = ?"), in: db)
        insert = BoundStatement(try db.cachedStatement(sql: "INSERT INTO task_keys (task) VALUES (?)"), in: db)
    }

    /// The task's key, nil if the ledger holds none.
    package func stored(_ task: String) throws -> Int64? {
        var found: Int64?
        find.bind(1, task)
        _ = try find.firstMatch { row in
            found = row.int64(0)
            return true
        }
        return found
    }

    /// A new key for `task`, which must have none.
    package func add(_ task: String) throws -> Int64 {
        insert.bind(1, task)
        try insert.execute()
        return db.lastInsertedRowID
    }
}
