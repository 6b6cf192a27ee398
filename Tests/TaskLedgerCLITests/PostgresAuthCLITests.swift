import Foundation
import TaskLedgerTestSupport
import Testing

/// Passwords, Unix sockets and TLS, against a server that requires scram-sha-256 everywhere and
/// TLS on TCP (``SecurePostgresTestServer``). A password reaches the server from PGPASSWORD, a
/// password file or the URL, and is never printed (README, "PostgreSQL": the password rule).
@Suite("Passwords, sockets and TLS", .enabled(if: PostgresTestServer.isAvailable, PostgresTestServer.skipReason),
       .secureTestServer)
struct PostgresAuthCLITests {
    /// What `init` prints for a database reached over TCP: user, host, port, database; no password.
    private func ready(_ s: SecurePostgresTestServer, host: String = "127.0.0.1", _ database: String) -> String {
        "ledger ready: postgresql://\(s.user)@\(host):\(s.port)/\(database)\n"
    }

    @Test func aPasswordFromPGPASSWORDIsUsedAndNeverShown() throws {
        let s = try SecurePostgresTestServer.require()
        let database = try s.makeDatabase()
        let db = "host=127.0.0.1 port=\(s.port) user=\(s.user) dbname=\(database)"
        let r = try CLI.run(["init", "--db", db], environment: ["PGPASSWORD": s.password])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == ready(s, database))
        let write = try CLI.run(["write", "--db", db, "--task", "t1", "--state", "queued"], environment: ["PGPASSWORD": s.password])
        #expect(write.stdout == "applied\n", "\(write.stderr)")
        #expect(try s.psql("SELECT state FROM task_state_snapshot", database: database) == "QUEUED")
        // Without it the server refuses: scram is required.
        let none = try CLI.run(["status", "--db", db, "t1"], environment: ["PGPASSFILE": "/nonexistent/pgpass"])
        #expect(none.status == 3)
        #expect(none.stderr.contains("asks for a password and none was given"), "\(none.stderr)")
    }

    @Test func aPasswordFromAPasswordFileIsUsed() throws {
        let s = try SecurePostgresTestServer.require()
        let database = try s.makeDatabase()
        let dir = try TempDirectory()
        let passfile = dir.path("pgpass")
        // hostname:port:database:username:password (libpq ignores the file unless it is 0600).
        try Data("127.0.0.1:\(s.port):\(database):\(s.user):\(s.password)\n".utf8).write(to: URL(fileURLWithPath: passfile))
        chmod(passfile, 0o600)
        let url = "postgres://\(s.user)@127.0.0.1:\(s.port)/\(database)"
        let r = try CLI.run(["init", "--db", url], environment: ["PGPASSFILE": passfile])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == ready(s, database))
        #expect(!r.stdout.contains(s.password) && !r.stderr.contains(s.password))
    }

    @Test func aPasswordInTheURLIsUsedButNeverShown() throws {
        let s = try SecurePostgresTestServer.require()
        let database = try s.makeDatabase()
        let dir = try TempDirectory()
        let url = "postgresql://\(s.user):\(s.password)@127.0.0.1:\(s.port)/\(database)"
        let r = try CLI.run(["import", "--db", url, "--quiet", "--report-dir", dir.path("out"),
                             CLI.root.appendingPathComponent("fixtures/events.jsonl").path])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try String(contentsOfFile: dir.path("out/summary.json"), encoding: .utf8)
        #expect(summary.contains(#""ledger": "postgresql://\#(s.user)@127.0.0.1:\#(s.port)/\#(database)""#), "\(summary)")
        for text in [r.stdout, r.stderr, summary, try String(contentsOfFile: dir.path("out/report.md"), encoding: .utf8)] {
            #expect(!text.contains(s.password))
        }
    }

    /// A wrong password, given any way: one line on stderr, exit 3, and the password nowhere.
    @Test(arguments: ["environment", "url"])
    func aWrongPasswordIsOneLineWithoutThePassword(given: String) throws {
        let s = try SecurePostgresTestServer.require()
        let database = try s.makeDatabase()
        let wrong = "Wr0ng-" + UUID().uuidString.prefix(8)
        let r = given == "url"
            ? try CLI.run(["status", "--db", "postgresql://\(s.user):\(wrong)@127.0.0.1:\(s.port)/\(database)", "t1"])
            : try CLI.run(["status", "--db", "host=127.0.0.1 port=\(s.port) user=\(s.user) dbname=\(database)", "t1"],
                          environment: ["PGPASSWORD": wrong])
        #expect(r.status == 3)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("task-ledger: error: postgresql://\(s.user)@127.0.0.1:\(s.port)/\(database): "), "\(r.stderr)")
        #expect(r.stderr.contains("password authentication failed for user \"\(s.user)\""), "\(r.stderr)")
        #expect(!r.stdout.contains(wrong) && !r.stderr.contains(wrong))
    }

    @Test(arguments: ["url", "keywords"])
    func aUnixSocketDirectoryIsAHost(form: String) throws {
        let s = try SecurePostgresTestServer.require()
        let database = try s.makeDatabase()
        let db = form == "url"
            ? "postgresql://\(s.user)@/\(database)?host=\(s.socketDirectory)&port=\(s.port)"
            : "host=\(s.socketDirectory) port=\(s.port) user=\(s.user) dbname=\(database)"
        let r = try CLI.run(["init", "--db", db], environment: ["PGPASSWORD": s.password])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "ledger ready: postgresql://\(s.user)@/\(database)?host=\(s.socketDirectory)&port=\(s.port)\n")
        #expect(try CLI.run(["write", "--db", db, "--task", "t1", "--state", "queued"], environment: ["PGPASSWORD": s.password])
            .stdout == "applied\n")
    }

    /// The server takes TCP only over TLS, so a plain connection is refused and every other
    /// sslmode that succeeds really used TLS; verify-full checks the chain and the name.
    @Test(arguments: [
        ("host=127.0.0.1 sslmode=disable", false), ("host=127.0.0.1 sslmode=require", true),
        ("host=localhost sslmode=verify-full sslrootcert=CA", true),
        ("host=127.0.0.1 sslmode=verify-full sslrootcert=CA", true),
        ("host=localhost sslmode=verify-full sslrootcert=OTHER", false),
    ])
    func sslModes(options: String, connects: Bool) throws {
        let s = try SecurePostgresTestServer.require()
        let database = try s.makeDatabase()
        let db = options.replacingOccurrences(of: "=CA", with: "=" + s.caCertificate)
            .replacingOccurrences(of: "=OTHER", with: "=" + s.otherCACertificate) + " port=\(s.port) user=\(s.user) dbname=\(database)"
        let r = try CLI.run(["init", "--db", db], environment: ["PGPASSWORD": s.password])
        if connects {
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout == ready(s, host: options.hasPrefix("host=localhost") ? "localhost" : "127.0.0.1", database))
        } else {
            #expect(r.status == 3)
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(r.stderr.contains(options.contains("disable") ? "no encryption" : "certificate verify failed"), "\(r.stderr)")
        }
    }

    @Test func verifyFullInAURL() throws {
        let s = try SecurePostgresTestServer.require()
        let database = try s.makeDatabase()
        let url = "postgresql://\(s.user)@localhost:\(s.port)/\(database)?sslmode=verify-full&sslrootcert=\(s.caCertificate)"
        let r = try CLI.run(["init", "--db", url], environment: ["PGPASSWORD": s.password])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == ready(s, host: "localhost", database))
    }
}
