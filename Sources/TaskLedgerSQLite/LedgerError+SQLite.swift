import GRDB
import TaskLedgerCore

extension LedgerError {
    /// Translates SQLite's result codes into errors that say what to do.
    package static func wrap(_ error: any Error, path: String) -> any Error {
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
