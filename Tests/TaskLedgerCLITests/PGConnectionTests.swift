import Foundation
import Testing
@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerDecoding
@testable import TaskLedgerImport
@testable import TaskLedgerInput
@testable import TaskLedgerPostgres
@testable import TaskLedgerProfiles
@testable import TaskLedgerReport
@testable import TaskLedgerSQLite
@testable import TaskLedgerTestData

/// The libpq client under the PostgreSQL store, against the test server: values come back as
/// PostgreSQL parsed them.
@Suite("libpq client", .enabled(if: PostgresTestServer.isAvailable, PostgresTestServer.skipReason))
struct PGConnectionTests {
    /// Text that array-literal syntax treats specially: commas, braces, quotes, backslashes,
    /// spaces, the word NULL, the empty string, and non-ASCII.
    static let awkward: [String?] = ["", "a,b", "{x}", "quote\"d", "back\\slash", "NULL", " spaced ", nil, "ünï", "tab\tnl\n"]

    @Test func textArraysReachPostgreSQLElementForElement() throws {
        let pg = try ScratchDatabase()
        let conn = try PGConnection(conninfo: pg.url)
        let rows = try conn.exec(
            "SELECT x, n FROM unnest($1::text[]) WITH ORDINALITY AS u(x, n) ORDER BY n",
            params: [PGArrayLiteral.text(Self.awkward)])
        #expect(rows.rows.map { $0.string(0) } == Self.awkward)
        let count = try conn.exec("SELECT cardinality($1::text[])", params: [PGArrayLiteral.text([String]())])
        #expect(try count.int64(0, 0) == 0)
    }

    @Test func integerArraysKeepTheirExtremesAndNulls() throws {
        let pg = try ScratchDatabase()
        let conn = try PGConnection(conninfo: pg.url)
        let values: [Int64?] = [.min, -1, 0, nil, .max]
        let rows = try conn.exec("SELECT x FROM unnest($1::bigint[]) WITH ORDINALITY AS u(x, n) ORDER BY n",
                                 params: [PGArrayLiteral.integers(values)])
        #expect(try rows.rows.map { try $0.optionalInt64(0) } == values)
    }

    /// COPY's text format (backslash escapes, `\N` for NULL); NUL, which PostgreSQL text
    /// cannot hold, becomes U+FFFD.
    @Test func copyTextArrivesAsWritten() throws {
        let pg = try ScratchDatabase()
        let conn = try PGConnection(conninfo: pg.url)
        try conn.exec("CREATE TABLE t (n bigint, s text)")
        var rows = CopyText()
        let texts: [String?] = Self.awkward + ["\\N", "cr\rhere", "nul\u{0}byte", "\\."]
        for (n, text) in texts.enumerated() {
            rows.field(n)
            rows.field(text)
            rows.endRow()
        }
        try conn.copy(rows, into: "t", columns: ["n", "s"])
        let back = try conn.exec("SELECT s FROM t ORDER BY n").rows.map { $0.string(0) }
        #expect(back == texts.map { $0?.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") })
    }

    @Test func aRefusedStatementCarriesItsSQLSTATEAndPrimaryMessage() throws {
        let pg = try ScratchDatabase()
        let conn = try PGConnection(conninfo: pg.url)
        #expect(throws: PGError.server(sqlState: "22012", message: "division by zero")) { try conn.exec("SELECT 1/0") }
        try conn.exec("CREATE TABLE t (k text PRIMARY KEY)")
        try conn.exec("INSERT INTO t VALUES ($1)", params: ["a"])
        #expect(throws: PGError.server(sqlState: "23505", message: #"duplicate key value violates unique constraint "t_pkey""#)) {
            try conn.exec("INSERT INTO t VALUES ($1)", params: ["a"])
        }
        // A refused COPY is the server's error too, and the connection stays usable.
        var rows = CopyText()
        rows.field("not a number")
        rows.endRow()
        let copy = #expect(throws: PGError.self) { try conn.copy(rows, into: "t", columns: ["missing"]) }
        guard case .server(let state, _) = copy else { Issue.record("\(String(describing: copy))"); return }
        #expect(state == "42703")  // undefined_column
        #expect(try conn.exec("SELECT count(*) FROM t").int64(0, 0) == 1)
    }

    @Test func aDatabaseThatDoesNotExistIsRefusedWithItsSQLSTATE() throws {
        let pg = try ScratchDatabase()
        let failure = #expect(throws: PGConnectFailure.self) { try PGConnection(conninfo: pg.url + "_absent") }
        #expect(failure?.error == .connect(sqlState: "3D000", message: #"database "\#(pg.name)_absent" does not exist"#))
        #expect(failure?.endpoint.database == pg.name + "_absent")
    }
}
