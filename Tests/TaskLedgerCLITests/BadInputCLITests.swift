import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

@Suite("Bad input: one-line errors and SPEC §5 exit codes")
struct BadInputCLITests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        var status: Int32
        var mentions: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "missing --task", arguments: ["write", "--db", "@DB", "--state", "RUNNING"], status: 2, mentions: "--task"),
        Case(name: "empty --task", arguments: ["write", "--db", "@DB", "--task", "", "--state", "RUNNING"], status: 2, mentions: "--task"),
        Case(name: "unparsable --ts", arguments: ["write", "--db", "@DB", "--task", "t", "--state", "QUEUED", "--ts", "yesterday"], status: 2, mentions: "yesterday"),
        Case(name: "unknown state", arguments: ["write", "--db", "@DB", "--task", "t", "--state", "EXPLODED"], status: 1, mentions: "EXPLODED"),
        Case(name: "unknown command", arguments: ["frobnicate"], status: 2, mentions: "frobnicate"),
        Case(name: "bad --older-than", arguments: ["stale", "--db", "@DB", "--older-than", "soon"], status: 2, mentions: "soon"),
        Case(name: "bad --cooldown", arguments: ["deliver", "--db", "@DB", "--task", "t", "--channel", "c", "--cooldown", "5x"], status: 2, mentions: "5x"),
        Case(name: "bad --now", arguments: ["stale", "--db", "@DB", "--now", "noon"], status: 2, mentions: "noon"),
        Case(name: "status of a missing ledger", arguments: ["status", "--db", "@DIR/none.sqlite", "t"], status: 3, mentions: "no ledger"),
        Case(name: "status of an unknown task", arguments: ["status", "--db", "@DB", "nope"], status: 3, mentions: "nope"),
        Case(name: "history of an unknown task", arguments: ["history", "--db", "@DB", "nope"], status: 3, mentions: "nope"),
        Case(name: "deliver without a state", arguments: ["deliver", "--db", "@DB", "--task", "nope", "--channel", "c"], status: 3, mentions: "--key"),
        Case(name: "a file that is not SQLite", arguments: ["write", "--db", "@TEXT", "--task", "t", "--state", "QUEUED"], status: 3, mentions: "not a task-ledger database"),
        Case(name: "a directory as ledger", arguments: ["status", "--db", "@DIR", "t"], status: 3, mentions: "directory"),
        Case(name: "a read-only directory", arguments: ["write", "--db", "@RO/ledger.sqlite", "--task", "t", "--state", "QUEUED"], status: 3, mentions: "ledger.sqlite"),
        Case(name: "a missing rules file", arguments: ["rules", "--rules", "@DIR/none.yaml"], status: 3, mentions: "none.yaml"),
        Case(name: "a bad rules file", arguments: ["rules", "--rules", "@BADRULES"], status: 3, mentions: "NOWHERE"),
    ]

    @Test(arguments: cases)
    func badInputGivesOneLineErrorAndExitCode(_ c: Case) throws {
        let dir = try TempDirectory()
        let db = dir.path("ledger.sqlite")
        try #require(CLI.run(["write", "--db", db, "--task", "t", "--state", "QUEUED", "--ts", "2026-11-24T10:00:00Z"]).status == 0)
        let text = dir.path("notes.txt")
        try Data("these are notes, not a database\n".utf8).write(to: URL(fileURLWithPath: text))
        let readOnly = dir.path("ro")
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: readOnly)
        let badRules = dir.path("bad.yaml")
        try Data("states: [QUEUED]\nterminal: [DONE]\ninitial: [QUEUED]\ntransitions:\n  QUEUED: [NOWHERE]\n".utf8).write(to: URL(fileURLWithPath: badRules))
        let before = try snapshotOfFiles(dir)
        let arguments = c.arguments.map {
            $0.replacingOccurrences(of: "@DB", with: db).replacingOccurrences(of: "@TEXT", with: text)
                .replacingOccurrences(of: "@RO", with: readOnly).replacingOccurrences(of: "@BADRULES", with: badRules)
                .replacingOccurrences(of: "@DIR", with: dir.url.path)
        }
        let result = try CLI.run(arguments, unprivileged: c.arguments.contains { $0.hasPrefix("@RO") })
        #expect(result.status == c.status, "stderr: \(result.stderr)")
        let errorLines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(errorLines.count >= 1)
        #expect(result.stderr.contains(c.mentions), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
        if c.status != 1 {
            // Refused before writing: no file changed (a refused write, status 1, is recorded by design).
            #expect(try snapshotOfFiles(dir) == before)
        }
    }

    /// The notes file's bytes and the ledger's rows (its bytes may change when a reader
    /// checkpoints the WAL, its content must not).
    func snapshotOfFiles(_ dir: TempDirectory) throws -> [String] {
        var out = [String(decoding: try Data(contentsOf: dir.url.appendingPathComponent("notes.txt")), as: UTF8.self)]
        let queue = try DatabaseQueue(path: dir.path("ledger.sqlite"))
        try queue.read { db in
            for table in ["task_events", "task_state_snapshot", "delivery_log", "import_rejects", "import_files"] {
                out += try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { "\(table): \($0)" }
            }
        }
        return out
    }
}
