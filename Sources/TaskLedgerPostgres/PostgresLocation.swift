import Foundation
import PostgresNIO
import TaskLedgerCore

/// A `postgres://user[:password]@host[:port]/dbname[?sslmode=disable|require]` URL, parsed
/// into what PostgresNIO needs to connect.
package struct PostgresLocation: Sendable {
    package let configuration: PostgresConnection.Configuration
    /// The URL without its password: safe to print and to put in reports.
    package let display: String

    /// Whether `db` names a PostgreSQL database rather than an SQLite file.
    package static func isURL(_ db: String) -> Bool {
        db.hasPrefix("postgres://") || db.hasPrefix("postgresql://")
    }

    package init(url: String) throws {
        guard let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty else {
            throw LedgerError.cannotOpen(path: url, reason: "not a URL of the form postgres://user@host:port/dbname")
        }
        let user = parts.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let database = String(parts.path.drop(while: { $0 == "/" })).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw LedgerError.cannotOpen(path: url, reason: "the URL names no database: postgres://user@host:port/dbname")
        }
        let port = parts.port ?? 5432
        var tls = PostgresConnection.Configuration.TLS.disable
        for item in parts.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", "disable"): tls = .disable
            case ("sslmode", "require"):
                do {
                    tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                } catch {
                    throw LedgerError.cannotOpen(path: url, reason: "TLS setup failed (\(error))")
                }
            default:
                throw LedgerError.cannotOpen(
                    path: url, reason: "unsupported URL option '\(item.name)=\(item.value ?? "")' (known: sslmode=disable|require)")
            }
        }
        configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: parts.password?.removingPercentEncoding,
            database: database, tls: tls)
        var shown = parts
        if shown.password != nil { shown.password = "***" }
        display = shown.string ?? "postgres://\(host):\(port)/\(database)"
    }
}
