import Foundation
import TaskLedgerTestSupport
import Testing

/// Every way of naming a PostgreSQL database that libpq knows reaches it through `--db`, and
/// `ledger ready: …` names it as `postgresql://user@host:port/dbname` without a password (README,
/// "PostgreSQL": connection forms).
@Suite("Connection forms on the trusting test server", .enabled(if: PostgresTestServer.isAvailable, PostgresTestServer.skipReason))
struct PostgresConnectionFormCLITests {
    /// Host, port and user of the main test server, from its URL.
    private static func server() throws -> (host: String, port: Int, user: String) {
        let admin = try #require(PostgresTestServer.adminURL)
        let url = try #require(URLComponents(string: admin))
        return (try #require(url.host), try #require(url.port), try #require(url.user))
    }

    @Test func aKeywordValueStringIsADatabase() throws {
        let (host, port, user) = try Self.server()
        let pg = try ScratchDatabase()
        let db = "host=\(host) port=\(port) dbname=\(pg.name) user=\(user)"
        let r = try CLI.run(["init", "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "ledger ready: postgresql://\(user)@\(host):\(port)/\(pg.name)\n")
        #expect(try CLI.run(["write", "--db", db, "--task", "t1", "--state", "queued"]).stdout == "applied\n")
        #expect(try pg.query("SELECT task, state FROM task_state_snapshot") == "t1|QUEUED")
    }

    @Test func anEmptyURLTakesEverythingFromThePGVariables() throws {
        let (host, port, user) = try Self.server()
        let pg = try ScratchDatabase()
        let environment = ["PGHOST": host, "PGPORT": String(port), "PGUSER": user, "PGDATABASE": pg.name]
        let r = try CLI.run(["init", "--db", "postgres://"], environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "ledger ready: postgresql://\(user)@\(host):\(port)/\(pg.name)\n")
        // TASK_LEDGER_DB is the same as --db.
        let write = try CLI.run(["write", "--task", "t1", "--state", "queued"],
                                environment: environment.merging(["TASK_LEDGER_DB": "postgresql://"]) { $1 })
        #expect(write.stdout == "applied\n", "\(write.stderr)")
        #expect(try pg.query("SELECT state FROM task_state_snapshot WHERE task = 't1'") == "QUEUED")
    }

    @Test func anUnknownOptionIsRefusedBeforeConnecting() throws {
        let (host, port, _) = try Self.server()
        for db in ["host=\(host) port=\(port) dbnmae=x", "postgres://\(host):\(port)/x?sslmdoe=require"] {
            let r = try CLI.run(["status", "--db", db, "t1"])
            #expect(r.status == 3)
            #expect(r.stderr.contains(db.contains("dbnmae") ? "dbnmae" : "sslmdoe"), "\(r.stderr)")
            #expect(r.stderr.contains("connection parameters"), "\(r.stderr)")
        }
    }

    /// A `=` alone does not make a connection string: the first word must be a libpq keyword.
    @Test(arguments: ["runs=3.sqlite", "./host=x.sqlite"])
    func aPathWithAnEqualsSignIsStillAnSQLiteFile(name: String) throws {
        let dir = try TempDirectory()
        let r = try CLI.run(["init", "--db", name], directory: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "ledger ready: \(name)\n")
        #expect(FileManager.default.fileExists(atPath: dir.path(name)))
    }

    /// A server that accepts the TCP connection and then says nothing: the command gives up
    /// after connect_timeout instead of hanging.
    @Test func aServerThatNeverAnswersTimesOut() throws {
        let silent = try SilentListener()
        let began = Date()
        let r = try CLI.run(["status", "--db", "host=127.0.0.1 port=\(silent.port) dbname=x connect_timeout=2", "t1"])
        let seconds = Date().timeIntervalSince(began)
        #expect(r.status == 3)
        #expect(r.stderr.contains("no answer within 2 s"), "\(r.stderr)")
        #expect(seconds >= 2 && seconds < 10, "took \(seconds) s")
    }
}

/// A TCP socket on 127.0.0.1 that listens but never accepts: the kernel completes the handshake,
/// nobody ever answers.
private final class SilentListener {
    let socket: Int32
    let port: Int

    init() throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard fd >= 0, bound == 0, named == 0, listen(fd, 4) == 0 else {
            close(fd)
            throw PostgresTestError(description: "cannot listen on 127.0.0.1: errno \(errno)")
        }
        socket = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socket) }
}
