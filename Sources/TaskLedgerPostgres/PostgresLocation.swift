import CLibPQ
import Foundation
import TaskLedgerCore

/// How `--db` names a PostgreSQL database, and how a database is named in messages and reports.
///
/// Two forms are PostgreSQL, both handed to libpq unchanged:
/// - a URL starting `postgres://` or `postgresql://` (its host may be empty: libpq then takes
///   `PGHOST` and the rest from the environment, or a socket directory from `?host=/dir`);
/// - a keyword/value string whose first word is one of libpq's keywords followed by `=`
///   (`host=db.internal dbname=ledger`, `service=ledger`, `dbname = ledger`).
///
/// Anything else is an SQLite path, even with an `=` in it (`runs=3.sqlite`); a file whose name
/// starts like a keyword/value string (`host=x`) is written `./host=x`.
package enum PostgresLocation {
    /// Whether `db` names a PostgreSQL database rather than an SQLite file.
    package static func isPostgres(_ db: String) -> Bool {
        if db.hasPrefix("postgres://") || db.hasPrefix("postgresql://") { return true }
        let text = db.drop(while: \.isWhitespace)
        let word = text.prefix(while: { $0.isASCII && ($0.isLetter || $0 == "_") })
        return text.dropFirst(word.count).drop(while: \.isWhitespace).first == "=" && keywords.contains(String(word))
    }

    /// Every connection keyword this libpq knows (`host`, `dbname`, `sslmode`, `service`, …).
    package static let keywords: Set<String> = {
        guard let defaults = PQconndefaults() else { return [] }
        defer { PQconninfoFree(defaults) }
        var words: Set<String> = []
        var option = defaults
        while let keyword = option.pointee.keyword {
            words.insert(String(cString: keyword))
            option += 1
        }
        return words
    }()

    /// `db` once libpq has parsed it: a typo in an option name or a malformed URL is refused here
    /// with libpq's own words, before any connection is tried. The message never repeats `db`,
    /// and when `db` may hold a password the parts libpq quotes from it are hidden too (a bad
    /// percent-escape in a password would otherwise be printed).
    package static func checked(_ db: String) throws -> String {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(db, &message) else {
            var why = message.map { PGError.firstLine(String(cString: $0)) } ?? "libpq could not parse it"
            PQfreemem(message)
            if mayHoldPassword(db) { why = why.replacing(#/"[^"]*"/#, with: "\"…\"") }
            throw LedgerError.cannotOpen(
                path: unparsed,
                reason: "\(why); the options are libpq's connection parameters (host, port, dbname, user, password, sslmode, sslrootcert, connect_timeout, service, …)")
        }
        PQconninfoFree(options)
        return db
    }

    /// Whether `db` may carry a password: it mentions `password`, or a URL has `:` before an `@`
    /// (`user:password@host`). Cautious on purpose: it only decides what an error may quote.
    private static func mayHoldPassword(_ db: String) -> Bool {
        if db.localizedCaseInsensitiveContains("password") { return true }
        guard let scheme = db.range(of: "://"), let at = db.lastIndex(of: "@"), scheme.upperBound <= at else { return false }
        return db[scheme.upperBound..<at].contains(":")
    }

    /// What a connection string that did not parse is called in its error message.
    package static let unparsed = "the PostgreSQL connection string"

    /// The database as a URL without a password, from what libpq settled on after defaults,
    /// environment, service file and password file: `postgresql://user@host:port/dbname`, or
    /// `postgresql://user@/dbname?host=/socket/dir&port=5432` for a Unix socket.
    package static func display(_ endpoint: PGEndpoint) -> String {
        guard endpoint != .unknown else { return unparsed }
        let user = encoded(endpoint.user)
        let database = encoded(endpoint.database)
        if endpoint.host.hasPrefix("/") || endpoint.host.hasPrefix("@") || endpoint.host.isEmpty {
            var query = endpoint.host.isEmpty ? [] : ["host=" + encoded(endpoint.host, keeping: "/")]
            if !endpoint.port.isEmpty { query.append("port=" + encoded(endpoint.port)) }
            return "postgresql://\(user)@/\(database)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        }
        let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : encoded(endpoint.host)
        return "postgresql://\(user)@\(host)" + (endpoint.port.isEmpty ? "" : ":\(encoded(endpoint.port))") + "/\(database)"
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters (and `keeping`).
    private static func encoded(_ text: String, keeping: String = "") -> String {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        allowed.insert(charactersIn: keeping)
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
