/// Why the ledger could not be opened, read or written. Each message names the ledger (the
/// SQLite path, or the PostgreSQL database without its password) and says what to do; the CLI
/// prints it on one line and exits 3.
public enum LedgerError: Error, Equatable, CustomStringConvertible {
    /// The ledger does not exist and was opened with ``LedgerOpenMode/existing``. The message
    /// says to create it (`task-ledger init`) or import into it; check the path or database name.
    case missing(path: String)
    /// The file or database holds something else: not SQLite, or tables of another program.
    /// Nothing was changed; point `db` at a ledger, or at a new path.
    case notALedger(path: String, reason: String)
    /// The ledger was written by a newer task-ledger whose schema version (`found`) this build
    /// does not know (it knows `supported`); the message says to upgrade task-ledger.
    case newerSchema(path: String, found: Int, supported: Int)
    /// The ledger could not be opened or connected to; `reason` says why (the system's or the
    /// server's words: a missing directory, a refused connection, a wrong password).
    case cannotOpen(path: String, reason: String)
    /// The ledger may be read but not written; the message says to check the file's and its
    /// directory's permissions (SQLite writes its WAL beside the file).
    case readOnly(path: String)
    /// A write ran out of disk space; the transaction in flight was rolled back, so nothing of
    /// it is stored. The message says to free space and re-run (an import resumes).
    case diskFull(path: String)
    /// SQLite found the file damaged (`database disk image is malformed`); restore the ledger
    /// from a backup.
    case corrupt(path: String)
    /// ``Ledger/deliver(task:channel:key:cooldown:now:)`` without a `key` for a task that has no
    /// state yet to derive the key from; the message says to pass a key.
    case noState(task: String)
    /// A live event was refused before judging (a NUL byte in a field, which the ledger cannot
    /// store); nothing was recorded. The message names the field.
    case invalidEvent(String)
    /// A stored row holds a value no task-ledger writes (e.g. an unknown verdict): the ledger
    /// was changed by hand or damaged, so the answer would be a guess. The message says to run
    /// `task-ledger verify` and restore the ledger from a backup.
    case damagedRow(path: String, table: String, detail: String)
    /// Any other failure of the database, in its own words (also: ``Ledger/copy(into:)`` between
    /// the wrong kinds of ledger).
    case database(path: String, message: String)

    /// One line for people, starting with the ledger's location, ending with what to do.
    public var description: String {
        switch self {
        case .missing(let p):
            "\(p): no ledger here (create one with `task-ledger init --db \(p)` or import into it)"
        case .notALedger(let p, let reason):
            "\(p): not a task-ledger database (\(reason))"
        case .newerSchema(let p, let found, let supported):
            "\(p): ledger schema version \(found) is newer than this task-ledger understands (\(supported)); upgrade task-ledger"
        case .cannotOpen(let p, let reason):
            "\(p): cannot open the ledger (\(reason))"
        case .readOnly(let p):
            "\(p): the ledger is read-only (check the file's and its directory's permissions)"
        case .diskFull(let p):
            "\(p): disk full — the last batch was rolled back; free space and re-run"
        case .corrupt(let p):
            "\(p): the ledger file is corrupt (SQLite says: database disk image is malformed)"
        case .noState(let task):
            "task '\(task)' has no applied event yet, so it has no current state; pass --key"
        case .invalidEvent(let why):
            "event refused: \(why)"
        case .damagedRow(let p, let table, let detail):
            "\(p): damaged row in \(table): \(detail); run `task-ledger verify` and restore the ledger from a backup"
        case .database(let p, let message):
            "\(p): \(message)"
        }
    }
}
