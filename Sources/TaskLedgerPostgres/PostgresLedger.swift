import Foundation
import PostgresNIO
import TaskLedgerCore

/// A task ledger in a PostgreSQL database (or an engine speaking its protocol): the same tables,
/// rules, verdicts and reports as the SQLite ``Ledger``, for fleets where many hosts write at once.
///
/// Writers serialise per task with transaction-scoped advisory locks, so two hosts can never
/// apply two terminal events to one task; ids are deduplicated by a unique index; imports send
/// their rows with `COPY … FROM STDIN` in the same transaction as the file's checkpoint.
/// The API is synchronous, like ``Ledger``'s: call it from a thread, not from an async task.
package final class PostgresLedger: LedgerStore {
    /// The URL without its password.
    public let location: String
    public let rules: Rules
    package let connection: PostgresConnection
    package let logger: Logger

    /// Connects to the database named by `url` and applies the schema if it has none
    /// (with `mode` ``Ledger/OpenMode/create``). Throws ``LedgerError`` with a message for people.
    public init(url: String, rules: Rules = .standard, mode: LedgerOpenMode = .create) throws {
        let place = try PostgresLocation(url: url)
        location = place.display
        self.rules = rules
        var quiet = Logger(label: "task-ledger.postgres")
        quiet.logLevel = .critical
        let logger = quiet
        self.logger = logger
        do {
            connection = try blocking {
                try await PostgresConnection.connect(configuration: place.configuration, id: 1, logger: logger)
            }
        } catch {
            throw PostgresLedger.wrap(error, location: place.display)
        }
        try migrate(mode: mode)
    }

    deinit {
        // PostgresNIO requires a connection to be closed before it goes; the ledger owns it.
        _ = try? connection.close().wait()
    }

    /// Runs `body` in one transaction, from synchronous code. A transaction that lost a race
    /// (deadlock, serialisation failure, or a duplicate id inserted by another writer between
    /// our check and our insert) is rolled back and run again: its next run sees the winner.
    /// A `reading` transaction sees one consistent snapshot of the ledger (REPEATABLE READ).
    package func transaction<T: Sendable>(
        reading: Bool = false, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) throws -> T {
        let connection = connection, logger = logger
        let begin = PostgresQuery(unsafeSQL: reading ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
        do {
            return try blocking {
                var attempt = 0
                while true {
                    attempt += 1
                    try await connection.query(begin, logger: logger)
                    do {
                        let value = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        guard attempt < 20, PostgresLedger.isRetryable(error) else { throw error }
                    }
                }
            }
        } catch {
            throw PostgresLedger.wrap(error, location: location)
        }
    }

    package static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server else { return false }
        return ["40P01", "40001", "23505"].contains(error.serverInfo?[.sqlState] ?? "")
    }

    /// Translates PostgresNIO's errors into ``LedgerError``s that say what happened and what to do.
    package static func wrap(_ error: any Error, location: String) -> any Error {
        guard let psql = error as? PSQLError else { return error }
        switch psql.code {
        case .server:
            let message = psql.serverInfo?[.message] ?? "server error"
            let state = psql.serverInfo?[.sqlState] ?? "?"
            if state == "3D000" {
                return LedgerError.cannotOpen(path: location, reason: "PostgreSQL says: \(message); create it first (createdb)")
            }
            if ["28000", "28P01"].contains(state) {
                return LedgerError.cannotOpen(path: location, reason: "PostgreSQL says: \(message)")
            }
            return LedgerError.database(path: location, message: "PostgreSQL says: \(message) (SQLSTATE \(state))")
        case .connectionError:
            let why = psql.underlying.map { "\($0)" } ?? "connection failed"
            return LedgerError.cannotOpen(path: location, reason: "cannot connect (\(why)); is the server running and the URL right?")
        case .serverClosedConnection, .uncleanShutdown:
            return LedgerError.database(
                path: location,
                message: "the server closed the connection — the transaction in flight was rolled back, everything committed before is kept; re-run the same command")
        default:
            return LedgerError.database(path: location, message: "PostgreSQL client error: \(psql.code)")
        }
    }
}
