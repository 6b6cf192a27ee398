import CLibPQ
import Foundation
import TaskLedgerCore

/// One libpq connection, synchronous: every call blocks until the server has answered.
///
/// libpq reads the connection string itself, so every form it knows works: `postgres://` URLs,
/// `host=… dbname=…` strings, the `PG*` environment variables, `~/.pgpass` and `PGPASSFILE`,
/// service files, Unix-socket directories and every `sslmode`. A `PGconn` must not be used by
/// two threads at once: ``serially(_:)`` is the one way in, and ``PostgresLedger`` runs each
/// transaction inside it.
package final class PGConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private let lock = NSLock()

    /// Connects with `conninfo`, waiting at most its `connect_timeout` (from the string, a service
    /// file or `PGCONNECT_TIMEOUT`), or ``defaultConnectTimeout`` seconds when none is set, so a
    /// server that never answers cannot hang a command. Throws ``PGConnectFailure``.
    package init(conninfo: String) throws(PGConnectFailure) {
        guard let handle = PQconnectStart(conninfo) else {
            throw PGConnectFailure(error: .client(message: "libpq could not allocate a connection"), endpoint: .unknown)
        }
        self.handle = handle
        // Verbose errors put the SQLSTATE into the message of a refused connection (there is no
        // result to ask), see ``PGError/connectFailure(message:)``; statements use result fields.
        PQsetErrorVerbosity(handle, PQERRORS_VERBOSE)
        do {
            try waitUntilConnected()
        } catch {
            throw PGConnectFailure(error: error, endpoint: endpoint)
        }
        PQsetErrorVerbosity(handle, PQERRORS_DEFAULT)
    }

    deinit { PQfinish(handle) }

    /// Seconds a connection may take when nothing says otherwise.
    package static let defaultConnectTimeout = 10

    /// Where this connection goes, as libpq settled it (defaults and environment applied).
    package var endpoint: PGEndpoint {
        func text(_ value: UnsafeMutablePointer<CChar>?) -> String { value.map { String(cString: $0) } ?? "" }
        return PGEndpoint(host: text(PQhost(handle)), port: text(PQport(handle)), user: text(PQuser(handle)),
                          database: text(PQdb(handle)))
    }

    /// Runs `body` with this connection to itself: calls from other threads wait.
    package func serially<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs `sql` (one or more statements, no parameters) and returns the last one's rows.
    @discardableResult
    package func exec(_ sql: String) throws(PGError) -> PGResult {
        try checked(PQexec(handle, sql))
    }

    /// Runs one statement with `$1, $2, …` bound to `params` in text format (nil is NULL);
    /// the server infers each parameter's type, or the SQL casts it (`$1::text[]`).
    @discardableResult
    package func exec(_ sql: String, params: [String?]) throws(PGError) -> PGResult {
        let result = withCStrings(params) { values in
            PQexecParams(handle, sql, Int32(params.count), nil, values, nil, nil, 0)
        }
        return try checked(result)
    }

    /// Sends `bytes`, rows in COPY's text format, to `table` with `COPY … FROM STDIN`, 1 MiB per
    /// `PQputCopyData` call.
    package func copy(_ bytes: [UInt8], into table: String, columns: [String]) throws(PGError) {
        let quoted = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let start = PQexec(handle, "COPY \(table) (\(quoted)) FROM STDIN")
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try checked(start)  // a refused COPY throws the server's error here
            throw .client(message: "COPY … FROM STDIN did not start")
        }
        PQclear(start)
        var sent = true
        bytes.withUnsafeBufferPointer { all in
            var offset = 0
            while sent, offset < all.count {
                let count = min(all.count - offset, 1 << 20)
                all.baseAddress!.withMemoryRebound(to: CChar.self, capacity: all.count) {
                    sent = PQputCopyData(handle, $0 + offset, Int32(count)) == 1
                }
                offset += count
            }
        }
        let sendError = sent ? nil : PGError.failure(of: nil, on: handle)
        // Ends the COPY either way (aborting it when sending failed), then reads its outcome.
        _ = PQputCopyEnd(handle, sent ? nil : "task-ledger could not send every row")
        var failure: PGError?
        while let result = PQgetResult(handle) {
            if failure == nil, PQresultStatus(result) != PGRES_COMMAND_OK { failure = PGError.failure(of: result, on: handle) }
            PQclear(result)
        }
        if let error = sendError ?? failure { throw error }
    }

    private func waitUntilConnected() throws(PGError) {
        let timeout = connectTimeout()
        let deadline = timeout.map { Date().addingTimeInterval(Double($0)) }
        var polling = PGRES_POLLING_WRITING
        while PQstatus(handle) != CONNECTION_BAD {
            switch polling {
            case PGRES_POLLING_OK: return
            case PGRES_POLLING_FAILED: throw connectFailure()
            default:
                var ready = pollfd(
                    fd: PQsocket(handle), events: Int16(polling == PGRES_POLLING_READING ? POLLIN : POLLOUT), revents: 0)
                let remaining = deadline.map { max(0, Int32($0.timeIntervalSinceNow * 1000)) } ?? -1
                let status = poll(&ready, 1, remaining)
                if status == 0 { throw .connect(sqlState: nil, message: "no answer within \(timeout ?? 0) s (connect_timeout)") }
                if status < 0, errno != EINTR { throw .connect(sqlState: nil, message: String(cString: strerror(errno))) }
                polling = PQconnectPoll(handle)
            }
        }
        throw connectFailure()
    }

    private func connectFailure() -> PGError {
        if PQconnectionNeedsPassword(handle) != 0 { return .noPassword }
        return PGError.connectFailure(message: PQerrorMessage(handle).map { String(cString: $0) } ?? "")
    }

    /// libpq's rule for `connect_timeout`: 0 or less waits forever, under 2 counts as 2.
    private func connectTimeout() -> Int? {
        var given: String?
        if let options = PQconninfo(handle) {
            defer { PQconninfoFree(options) }
            var option = options
            while let keyword = option.pointee.keyword {
                if String(cString: keyword) == "connect_timeout", let value = option.pointee.val {
                    given = String(cString: value).trimmingCharacters(in: .whitespaces)
                }
                option += 1
            }
        }
        guard let given, !given.isEmpty else { return Self.defaultConnectTimeout }
        guard let seconds = Int(given) else { return Self.defaultConnectTimeout }
        return seconds <= 0 ? nil : max(seconds, 2)
    }

    private func checked(_ result: OpaquePointer?) throws(PGError) -> PGResult {
        guard let result else { throw PGError.failure(of: nil, on: handle) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return PGResult(result)
        default:
            defer { PQclear(result) }
            throw PGError.failure(of: result, on: handle)
        }
    }
}

/// Calls `body` with `strings` as C strings (NULL for nil), valid only during the call.
private func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}

/// The host (or socket directory), port, user and database of a connection: what messages and
/// reports show. It has no password field, so none can be shown.
package struct PGEndpoint: Equatable, Sendable {
    package var host: String
    package var port: String
    package var user: String
    package var database: String

    package static let unknown = PGEndpoint(host: "", port: "", user: "", database: "")
}

/// A connection that could not be made, and where it was going.
package struct PGConnectFailure: Error {
    package let error: PGError
    package let endpoint: PGEndpoint
}
