import Foundation
import Testing

/// A second throwaway server, for the connection forms that the trusting main test server
/// cannot show: every connection must give the superuser's password by scram-sha-256, and TCP
/// must use TLS, with a certificate for `localhost` and `127.0.0.1` signed by a CA made here with
/// openssl. Started once for the suite that carries ``SecurePostgresTestServer/Scope`` (a few
/// seconds), stopped and removed when that suite ends, failed or not.
final class SecurePostgresTestServer: Sendable {
    /// The server's directory, which also holds its Unix socket.
    let socketDirectory: String
    let port: Int
    let user: String
    let password: String
    /// PEM files: the CA that signed the server's certificate, and a CA that did not.
    let caCertificate: String
    let otherCACertificate: String
    private let files: String

    @TaskLocal static var current: SecurePostgresTestServer?

    private init() throws {
        files = FileManager.default.temporaryDirectory.appendingPathComponent("task-ledger-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        password = "pw-" + UUID().uuidString.prefix(13).lowercased()
        try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: files + "/pwfile"))
        caCertificate = files + "/ca.crt"
        otherCACertificate = files + "/other-ca.crt"
        try Self.makeCertificates(in: files)
        let start = try CLI.run(
            ["-c", #""$1" start 56532 --pwfile "$2/pwfile" --ssl "$2/server.crt" "$2/server.key""#, "sh",
             CLI.root.appendingPathComponent(".ci/pg-server").path, files],
            shell: true)
        let words = start.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard start.status == 0, words.count == 2, let url = URLComponents(string: words[1]), let port = url.port,
              let user = url.user
        else {
            try? FileManager.default.removeItem(atPath: files)
            throw PostgresTestError(description: "could not start the scram/TLS test server: \(start.stderr)")
        }
        socketDirectory = words[0]
        self.port = port
        self.user = user
    }

    private func stop() {
        _ = try? CLI.run(["-c", #""$1" stop "$2""#, "sh", CLI.root.appendingPathComponent(".ci/pg-server").path, socketDirectory],
                         shell: true)
        try? FileManager.default.removeItem(atPath: files)
    }

    /// A CA, a server certificate it signs for localhost and 127.0.0.1, and an unrelated CA.
    private static func makeCertificates(in dir: String) throws {
        let script = """
            set -e
            cd "$1"
            key='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'
            openssl req -x509 $key -keyout ca.key -out ca.crt -days 2 -subj '/CN=task-ledger test CA'
            openssl req -x509 $key -keyout other-ca.key -out other-ca.crt -days 2 -subj '/CN=task-ledger other CA'
            openssl req $key -keyout server.key -out server.csr -subj '/CN=localhost'
            printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt
            """
        let r = try CLI.run(["-c", script, "sh", dir], shell: true)
        guard r.status == 0 else { throw PostgresTestError(description: "openssl failed: \(r.stderr)") }
    }

    /// A new, empty database for one test (tests run in parallel); the server goes with its databases.
    func makeDatabase() throws -> String {
        let name = "tl_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql("CREATE DATABASE \(name)")
        return name
    }

    /// Runs `sql` with psql over the Unix socket, password from PGPASSWORD.
    @discardableResult
    func psql(_ sql: String, database: String = "taskledger") throws -> String {
        let r = try CLI.run(
            ["-c", #"psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$1" -p "$2" -U "$3" -d "$4" -c "$5""#, "sh",
             socketDirectory, String(port), user, database, sql],
            environment: ["PGPASSWORD": password], shell: true)
        guard r.status == 0 else { throw PostgresTestError(description: "psql failed (\(r.status)): \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs the suite it marks inside one server's lifetime.
    struct Scope: SuiteTrait, TestScoping {
        func provideScope(
            for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
        ) async throws {
            let server = try SecurePostgresTestServer()
            defer { server.stop() }
            try await SecurePostgresTestServer.$current.withValue(server) { try await function() }
        }
    }

    /// The server of the running suite.
    static func require() throws -> SecurePostgresTestServer {
        try #require(current, "this test runs only inside a suite marked .secureTestServer")
    }
}

extension Trait where Self == SecurePostgresTestServer.Scope {
    /// Starts a ``SecurePostgresTestServer`` for the suite and stops it when the suite ends.
    static var secureTestServer: Self { Self() }
}
