import CSQLiteConfig
import Foundation
import GRDB
import TaskLedgerCore

/// One task-ledger SQLite file: open or create it, record events, answer questions about tasks.
///
/// Many processes may hold the same ledger open: it runs in WAL mode, every write is a
/// `BEGIN IMMEDIATE` transaction, and a busy ledger is waited for rather than reported.
package final class SQLiteLedger: Sendable {
    /// The path as given.
    public let path: String
    /// The rules events are judged by.
    public let rules: Rules
    package let pool: DatabasePool
    /// Ids in `event_ids_tail` that make a writer merge it into `event_ids`
    /// (``Schema/mergeTail(_:limit:)``); tests make it small.
    package let tailLimit: Int
    /// Pairs in `task_hashes_tail` that make a writer merge it into `task_hashes`
    /// (``Schema/mergeTaskHashes(_:limit:)``); tests make it small.
    package let taskTailLimit: Int

    /// Opens (and migrates) the ledger at `path`. Throws ``LedgerError`` with a message for people.
    public convenience init(path: String, rules: Rules = .standard, mode: LedgerOpenMode = .create, busyTimeout: TimeInterval = 60) throws {
        try self.init(path: path, rules: rules, mode: mode, busyTimeout: busyTimeout, tailLimit: Schema.tailLimit)
    }

    package init(
        path: String, rules: Rules, mode: LedgerOpenMode, busyTimeout: TimeInterval, tailLimit: Int,
        taskTailLimit: Int = Schema.taskTailLimit
    ) throws {
        _ = SQLiteLedger.sqliteConfigured
        self.path = path
        self.rules = rules
        self.tailLimit = tailLimit
        self.taskTailLimit = taskTailLimit
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            throw LedgerError.cannotOpen(path: path, reason: "it is a directory")
        }
        if !exists {
            guard mode == .create else { throw LedgerError.missing(path: path) }
            // Created here, not by SQLite, so that the file is private (0600) unless umask says otherwise.
            let fd = Foundation.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 {
                close(fd)
            } else if errno != EEXIST {
                throw LedgerError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
        }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            // Every connection finds tasks by hash (v6), the schema upgrade among them.
            db.add(function: TaskKeyStatements.hashFunction)
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Debian's SQLite is built with secure_delete on: every page a delete frees is
            // zeroed and written, and a merge of the id tables frees all of the table merged
            // (4M pairs: 10k pages). FAST zeroes deleted content only where the page is
            // written anyway. What a ledger deletes is merged id pairs and archived tasks
            // (which the archive holds).
            try db.execute(sql: "PRAGMA secure_delete = FAST")
            // 8 KiB pages for a new ledger (a no-op on an existing one): half the write calls
            // for WAL frames and checkpoints. Measured (1M-line import / SQLiteLedger.write loop):
            // 4 KiB 10.9-11.4 s / 8.5k events/s; 8 KiB 9.8-10.8 s / 6.5-7.4k; 16 KiB
            // 9.9-10.4 s / 5.1k — larger pages make every small live commit write more.
            try db.execute(sql: "PRAGMA page_size = 8192")
            // 16 MiB of page cache per connection (used only as needed). Since v5 no index
            // takes an insert per event at a random place (task keys and the ids' tail keep
            // inserts local), so a bigger cache buys little: night 8 of bench/nightly imported
            // in 28.1 s with 32 MiB, 29.0 s with 16 MiB, and peak RSS fell from 149 to 132 MB.
            try db.execute(sql: "PRAGMA cache_size = -16384")
        }
        do {
            if exists {
                // Checked read-only first: opening a DatabasePool switches the file to WAL and
                // writes to it, which must not happen to a file that is then refused.
                var readOnly = Configuration()
                readOnly.readonly = true
                readOnly.busyMode = .timeout(busyTimeout)
                try SQLiteLedger.refuseForeign(DatabaseQueue(path: path, configuration: readOnly), path: path)
            }
            pool = try DatabasePool(path: path, configuration: config)
            try SQLiteLedger.migrate(pool, path: path)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.wrap(error, path: path)
        }
    }

    /// SQLite set up once per process, before its first connection, for GRDB's way of using it
    /// (one thread per connection at a time): no per-call connection mutex and no allocation
    /// statistics. Measured: -6% instructions on the import's write thread.
    private static let sqliteConfigured: Int32 = task_ledger_configure_sqlite()

    /// Throws unless the database is empty or a ledger this build understands; returns its version.
    @discardableResult
    private static func refuseForeign(_ reader: some DatabaseReader, path: String) throws -> Int {
        let (version, tables) = try reader.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        }
        if version > Schema.version {
            throw LedgerError.newerSchema(path: path, found: version, supported: Schema.version)
        }
        let foreign = tables.filter { !Schema.tables.contains($0) && $0 != "grdb_migrations" && !$0.hasPrefix("sqlite_") }
        if version == 0, !foreign.isEmpty {
            throw LedgerError.notALedger(path: path, reason: "it holds other tables: \(foreign.sorted().joined(separator: ", "))")
        }
        return version
    }

    private static func migrate(_ pool: DatabasePool, path: String) throws {
        // user_version carries the schema version (SPEC §1), whoever applied the schema: a
        // ledger made from status_schema.sql by another tool has no GRDB migration records.
        let found = try refuseForeign(pool, path: path)
        if found == Schema.version { return }
        if found > 0 { return try pool.writeWithoutTransaction(Schema.upgrade) }
        // Two processes may create the same ledger at once; the loser of the race finds the
        // migration applied when it retries.
        for attempt in 1...5 {
            do {
                try Schema.migrator.migrate(pool)
                return
            } catch {
                if try pool.read(Schema.migrator.hasCompletedMigrations) { return }
                if attempt == 5 { throw error }
            }
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, mapping SQLite errors to ``LedgerError``.
    package func writeTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.wrap(error, path: path)
        }
    }

    package func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch {
            throw LedgerError.wrap(error, path: path)
        }
    }

    /// Records one live event (SPEC §5 `write`): judged by the same rules as an import, stored
    /// with its verdict, the snapshot updated in the same transaction.
    @discardableResult
    public func write(_ event: StatusEvent) throws -> Verdict {
        try event.refuseNUL()
        return try writeTransaction { db in
            let recorder = try EventRecorder(db: db, rules: rules, tailLimit: tailLimit, taskTailLimit: taskTailLimit)
            let verdict = try recorder.record(PreparedEvent(event, rules: rules), origin: .live, raw: event.jsonLine)
            try recorder.flush()
            return verdict
        }
    }
}

extension SQLiteLedger: LedgerStore {
    /// The path as given.
    package var location: String { path }
}
