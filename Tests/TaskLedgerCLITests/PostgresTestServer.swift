import Foundation
import Testing

/// The PostgreSQL server of the PostgreSQL tests: `TASK_LEDGER_TEST_PG_URL`, which `.ci/run`
/// always sets (it starts a throwaway server with `.ci/pg-server`). Without it those tests are
/// skipped, loudly.
enum PostgresTestServer {
    static let adminURL: String? = {
        let url = ProcessInfo.processInfo.environment["TASK_LEDGER_TEST_PG_URL"] ?? ""
        return url.isEmpty ? nil : url
    }()

    static let skipReason: Comment = """
        ⚠️ SKIPPED: TASK_LEDGER_TEST_PG_URL is not set, so the PostgreSQL tests did not run. \
        .ci/run sets it; by hand: `.ci/pg-server start` prints a URL to export.
        """

    /// Whether the PostgreSQL tests can run; says loudly on stderr when they cannot.
    static var isAvailable: Bool {
        if adminURL == nil { warning }
        return adminURL != nil
    }

    private static let warning: Void = {
        FileHandle.standardError.write(Data("\n\(skipReason)\n\n".utf8))
    }()

    /// Runs `sql` with psql against `url`; returns its unaligned, tuples-only output.
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let r = try CLI.run(["-c", "psql -X -q -A -t -v ON_ERROR_STOP=1 -d \"$1\" -c \"$2\"", "sh", url, sql], shell: true)
        guard r.status == 0 else { throw PostgresTestError(description: "psql failed (\(r.status)): \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

struct PostgresTestError: Error, CustomStringConvertible {
    let description: String
}

/// A fresh database on the test server for one test, dropped when it ends: tests run in parallel.
final class ScratchDatabase: Sendable {
    let name: String
    let url: String
    private let admin: String

    init() throws {
        admin = try #require(PostgresTestServer.adminURL)
        name = "tl_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        var parts = try #require(URLComponents(string: admin))
        parts.path = "/" + name
        url = try #require(parts.string)
        try PostgresTestServer.psql(admin, "CREATE DATABASE \(name)")
    }

    /// One query's result, rows on lines, columns separated by `|`.
    func query(_ sql: String) throws -> String { try PostgresTestServer.psql(url, sql) }

    deinit { _ = try? PostgresTestServer.psql(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
}
