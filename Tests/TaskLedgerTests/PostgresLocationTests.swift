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

/// Which `--db` values are PostgreSQL, and how a database is named (README, "PostgreSQL").
struct PostgresLocationTests {
    @Test(arguments: [
        ("postgres://", true), ("postgresql://", true), ("postgres://ledger@db.internal:5432/ledger", true),
        ("postgresql:///ledger?host=/run/postgresql", true), ("host=db.internal dbname=ledger", true),
        ("dbname=ledger", true), ("  dbname = ledger", true), ("service=ledger", true), ("sslmode=require", true),
        ("ledger.sqlite", false), ("runs=3.sqlite", false), ("./host=x.sqlite", false), ("data/host=x", false),
        ("hostname=x", false), ("postgres:/x", false), ("Host=x", false), ("", false),
    ])
    func aConnectionStringIsAURLOrStartsWithALibpqKeyword(db: String, isPostgres: Bool) {
        #expect(PostgresLedger.isConnectionString(db) == isPostgres)
    }

    @Test(arguments: [
        (PGEndpoint(host: "db.internal", port: "5432", user: "ledger", database: "ledger"),
         "postgresql://ledger@db.internal:5432/ledger"),
        (PGEndpoint(host: "::1", port: "5433", user: "u", database: "d"), "postgresql://u@[::1]:5433/d"),
        (PGEndpoint(host: "/run/postgresql", port: "5432", user: "u", database: "d"),
         "postgresql://u@/d?host=/run/postgresql&port=5432"),
        (PGEndpoint(host: "h", port: "5432", user: "a@b", database: "my db"), "postgresql://a%40b@h:5432/my%20db"),
    ])
    func aDatabaseIsShownAsAURLWithoutPassword(endpoint: PGEndpoint, shown: String) {
        #expect(PostgresLocation.display(endpoint) == shown)
    }

    /// libpq's parse errors quote the offending token; when the string may hold a password, the
    /// quotes are hidden, else they name the mistake.
    @Test(arguments: [
        ("postgresql://u:s3cret-%zz@h/d", "s3cret", false), ("host=h password=s3cret-x 'x", "s3cret", false),
        ("host=h dbnmae=x", "dbnmae", true), ("postgresql://h/d?sslmdoe=1", "sslmdoe", true),
    ])
    func anUnparsableStringIsRefusedQuotingNoPassword(db: String, token: String, shown: Bool) throws {
        let error = #expect(throws: LedgerError.self) { try PostgresLocation.checked(db) }
        #expect("\(error!)".contains(token) == shown, "\(error!)")
        #expect(!"\(error!)".contains(db))
    }
}
