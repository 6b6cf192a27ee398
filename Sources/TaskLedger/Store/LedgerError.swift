import GRDB

/// Why the ledger could not be opened or written. Each message names the file and what to do.
public enum LedgerError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    case notALedger(path: String, reason: String)
    case newerSchema(path: String, found: Int, supported: Int)
    case cannotOpen(path: String, reason: String)
    case readOnly(path: String)
    case diskFull(path: String)
    case corrupt(path: String)
    case noState(task: String)
    case invalidEvent(String)
    case database(path: String, message: String)

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
        case .database(let p, let message):
            "\(p): \(message)"
        }
    }

    /// Translates SQLite's result codes into errors that say what to do.
    static func wrap(_ error: any Error, path: String) -> any Error {
        guard let db = error as? DatabaseError else { return error }
        switch db.resultCode.primaryResultCode {
        case .SQLITE_NOTADB: return LedgerError.notALedger(path: path, reason: "file is not an SQLite database")
        case .SQLITE_CANTOPEN: return LedgerError.cannotOpen(path: path, reason: db.message ?? "unable to open database file")
        case .SQLITE_READONLY: return LedgerError.readOnly(path: path)
        case .SQLITE_FULL: return LedgerError.diskFull(path: path)
        case .SQLITE_CORRUPT: return LedgerError.corrupt(path: path)
        case .SQLITE_IOERR:
            // A write that hits a full disk or a file-size limit surfaces as an I/O error.
            return LedgerError.database(
                path: path,
                message: "I/O error (\(db.message ?? "disk I/O error"); is the disk full?) — the transaction in flight was rolled back, everything committed before is kept; free space and re-run the same command")
        default: return LedgerError.database(path: path, message: db.message ?? "\(db)")
        }
    }
}
