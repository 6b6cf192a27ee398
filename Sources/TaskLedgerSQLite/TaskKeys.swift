import GRDB
import TaskLedgerCore

/// `task_keys` through prepared statements, for every writer of this store: a task's key as the
/// ledger holds it, or a new one for a task it has no row of — `INSERT` without a key, so SQLite
/// hands out max + 1 and keys follow the order tasks were first stored in.
///
/// Tasks are found by the 64-bit hash of their text (``hash(_:)``, `task_keys.task_hash`), the
/// text compared on a hit (v6). The (hash, key) pairs are in `task_hashes_tail`, where a
/// trigger puts a new task's, and `task_hashes`, into which ``Schema/mergeTaskHashes(_:limit:)``
/// moves the tail (v8): each new task is one insert at a random place in the small tail, not in
/// an index of every task the ledger had, whose every page each import transaction wrote again.
package struct TaskKeyStatements {
    private let db: Database
    private let find: BoundStatement
    private let insert: BoundStatement

    package init(_ db: Database) throws {
        self.db = db
        find = BoundStatement(try db.cachedStatement(sql: """
            SELECT k.task_key, k.task FROM (\(Self.pairs(hash: "?1"))) h JOIN task_keys k ON k.task_key = h.task_key
            """), in: db)
        insert = BoundStatement(try db.cachedStatement(sql: "INSERT INTO task_keys (task, task_hash) VALUES (?, ?)"), in: db)
    }

    /// `task_keys.task_hash` of a task: FNV-1a of its UTF-8 text, as SQLite's signed integer.
    package static func hash(_ task: String) -> Int64 {
        var h = FNV1a()
        h.combine(task)
        return Int64(bitPattern: h.value)
    }

    /// ``hash(_:)`` as the SQL function `task_ledger_task_hash(text)`, which every connection of
    /// this store has: `WHERE task_hash = task_ledger_task_hash(?1) AND task = ?1` finds a task
    /// through the index.
    package static var hashFunction: DatabaseFunction {
        DatabaseFunction("task_ledger_task_hash", argumentCount: 1, pure: true) { values in
            String.fromDatabaseValue(values[0]).map(hash)
        }
    }

    /// The keys of the tasks whose hash is `hash` (an SQL expression), from both pair tables.
    private static func pairs(hash: String) -> String {
        """
        SELECT task_key FROM task_hashes_tail WHERE task_hash = \(hash)
        UNION ALL SELECT task_key FROM task_hashes WHERE task_hash = \(hash)
        """
    }

    /// A scalar subquery: the key of the task bound to parameter `parameter`, NULL if it has none.
    package static func key(ofTaskAt parameter: Int) -> String {
        """
        (SELECT k.task_key FROM (\(pairs(hash: "task_ledger_task_hash(?\(parameter))"))) h
         JOIN task_keys k ON k.task_key = h.task_key WHERE k.task = ?\(parameter))
        """
    }

    /// The task's key, nil if the ledger holds none.
    package func stored(_ task: String) throws -> Int64? {
        var found: Int64?
        find.bind(1, Self.hash(task))
        _ = try find.firstMatch { row in
            guard row.text(1) == task else { return false }
            found = row.int64(0)
            return true
        }
        return found
    }

    /// A new key for `task`, which must have none (the trigger puts its pair into the tail).
    package func add(_ task: String) throws -> Int64 {
        insert.bind(1, task)
        insert.bind(2, Self.hash(task))
        try insert.execute()
        return db.lastInsertedRowID
    }
}
