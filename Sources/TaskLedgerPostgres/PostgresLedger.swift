import Foundation
import TaskLedgerCore

/// A task ledger in a PostgreSQL database (or an engine speaking its protocol): the same tables,
/// rules, verdicts and reports as the SQLite ``Ledger``, for fleets where many hosts write at once.
///
/// Writers serialise per task with transaction-scoped advisory locks, so two hosts can never
/// apply two terminal events to one task; ids are deduplicated by a unique index; imports send
/// their rows with `COPY … FROM STDIN` in the same transaction as the file's checkpoint.
/// The API is synchronous, like ``Ledger``'s: one libpq connection, one transaction at a time
/// (calls from several threads take turns).
package final class PostgresLedger: LedgerStore {
    /// The database as `postgresql://user@host:port/dbname`, never with a password.
    package let location: String
    package let rules: Rules
    package let connection: PGConnection

    /// Connects to the database named by `connectionString` (a `postgres://` URL or a libpq
    /// keyword/value string, with the `PG*` environment, password and service files applied by
    /// libpq) and applies the schema if it has none (with `mode` ``Ledger/OpenMode/create``).
    /// Throws ``LedgerError`` with a message for people.
    package init(connectionString: String, rules: Rules = .standard, mode: LedgerOpenMode = .create) throws {
        let conninfo = try PostgresLocation.checked(connectionString)
        self.rules = rules
        do {
            connection = try PGConnection(conninfo: conninfo)
        } catch {
            throw PostgresLedger.wrap(error.error, location: PostgresLocation.display(error.endpoint))
        }
        location = PostgresLocation.display(connection.endpoint)
        try migrate(mode: mode)
    }

    /// Whether `db` names a PostgreSQL database (a `postgres://` URL or a keyword/value string
    /// such as `host=db dbname=ledger`) rather than an SQLite file; see the README for the rule.
    package static func isConnectionString(_ db: String) -> Bool { PostgresLocation.isPostgres(db) }

    /// Runs `body` in one transaction. A transaction that lost a race (deadlock, serialisation
    /// failure, or a duplicate id inserted by another writer between our check and our insert)
    /// is rolled back and run again: its next run sees the winner. A `reading` transaction sees
    /// one consistent snapshot of the ledger (REPEATABLE READ).
    package func transaction<T>(reading: Bool = false, _ body: (PGConnection) throws -> T) throws -> T {
        let begin = reading ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN"
        do {
            return try connection.serially {
                var attempt = 0
                while true {
                    attempt += 1
                    try connection.exec(begin)
                    do {
                        let value = try body(connection)
                        try connection.exec("COMMIT")
                        return value
                    } catch {
                        _ = try? connection.exec("ROLLBACK")
                        guard attempt < 20, PostgresLedger.isRetryable(error) else { throw error }
                    }
                }
            }
        } catch {
            throw PostgresLedger.wrap(error, location: location)
        }
    }

    package static func isRetryable(_ error: any Error) -> Bool {
        guard case .server(let state, _) = error as? PGError else { return false }
        return ["40P01", "40001", "23505"].contains(state)
    }

    /// Translates libpq's errors into ``LedgerError``s that say what happened and what to do.
    package static func wrap(_ error: any Error, location: String) -> any Error {
        guard let pg = error as? PGError else { return error }
        switch pg {
        case .server(let state, let message), .connect(let state?, let message):
            if state == "3D000" {
                return LedgerError.cannotOpen(path: location, reason: "PostgreSQL says: \(message); create it first (createdb)")
            }
            if ["28000", "28P01"].contains(state) {
                return LedgerError.cannotOpen(path: location, reason: "PostgreSQL says: \(message)")
            }
            if case .connect = pg {
                return LedgerError.cannotOpen(path: location, reason: "cannot connect (PostgreSQL says: \(message), SQLSTATE \(state))")
            }
            return LedgerError.database(path: location, message: "PostgreSQL says: \(message) (SQLSTATE \(state))")
        case .connect(nil, let message):
            return LedgerError.cannotOpen(path: location, reason: "cannot connect (\(message)); is the server running and the URL right?")
        case .noPassword:
            return LedgerError.cannotOpen(
                path: location, reason: "the server asks for a password and none was given (PGPASSWORD, a password file, or the URL)")
        case .connectionLost:
            return LedgerError.database(
                path: location,
                message: "the server closed the connection — the transaction in flight was rolled back, everything committed before is kept; re-run the same command")
        case .client(let message):
            return LedgerError.database(path: location, message: "PostgreSQL client error: \(message)")
        }
    }
}
