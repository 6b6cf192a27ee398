import CLibPQ
import Foundation
import TaskLedgerCore

/// What went wrong talking to PostgreSQL through libpq. ``PostgresLedger`` turns these into
/// ``LedgerError``s that say what to do; nothing here is shown to people unwrapped.
package enum PGError: Error, Equatable, Sendable {
    /// The server refused a statement: its SQLSTATE (`PG_DIAG_SQLSTATE`) and primary message.
    case server(sqlState: String, message: String)
    /// No connection could be made: libpq's message on one line, and the SQLSTATE when the
    /// server itself refused (a database that does not exist, a wrong password).
    case connect(sqlState: String?, message: String)
    /// The server asked for a password and none was given (not in the URL, PGPASSWORD or a password file).
    case noPassword
    /// The connection broke while a statement ran: the server closed it or the network failed.
    case connectionLost(message: String)
    /// libpq failed without a word from the server (out of memory, an unexpected result).
    case client(message: String)

    /// The error of a failed statement on `connection`: lost connection first (then nothing the
    /// result says can be trusted), else the server's SQLSTATE and message, else libpq's message.
    package static func failure(of result: OpaquePointer?, on connection: OpaquePointer) -> PGError {
        if PQstatus(connection) == CONNECTION_BAD {
            return .connectionLost(message: firstLine(PQerrorMessage(connection)))
        }
        if let result, let state = field(result, PG_DIAG_SQLSTATE) {
            return .server(
                sqlState: state, message: field(result, PG_DIAG_MESSAGE_PRIMARY) ?? firstLine(PQresultErrorMessage(result)))
        }
        return .client(message: firstLine(PQerrorMessage(connection)))
    }

    /// The error of a connection attempt that failed with libpq's `message`. Connections are
    /// made with verbose errors, so a refusal by the server reads `…failed: FATAL:  3D000: database
    /// "x" does not exist`: the SQLSTATE is taken from there, whatever language the server speaks.
    package static func connectFailure(message: String) -> PGError {
        for line in message.split(separator: "\n") {
            if let refusal = line.firstMatch(of: #/:  (?<state>[0-9A-Z]{5}): (?<text>.*)$/#) {
                return .connect(sqlState: String(refusal.state), message: String(refusal.text))
            }
        }
        return .connect(sqlState: nil, message: firstLine(message))
    }

    /// libpq's diagnostic fields are one-letter codes (`postgres_ext.h`).
    package static let PG_DIAG_SQLSTATE = Int32(UInt8(ascii: "C"))
    package static let PG_DIAG_MESSAGE_PRIMARY = Int32(UInt8(ascii: "M"))

    private static func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        PQresultErrorField(result, code).map { String(cString: $0) }
    }

    /// The first non-empty line of a libpq message (the rest are hints and locations).
    package static func firstLine(_ message: UnsafePointer<CChar>?) -> String {
        firstLine(message.map { String(cString: $0) } ?? "")
    }

    package static func firstLine(_ message: String) -> String {
        let line = message.split(separator: "\n").first { !$0.allSatisfy(\.isWhitespace) } ?? "no message from libpq"
        return line.trimmingCharacters(in: .whitespaces)
    }
}
