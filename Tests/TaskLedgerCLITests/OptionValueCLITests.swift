import Foundation
import TaskLedgerTestSupport
import Testing

@Suite("Typed options: a bad value is refused while parsing, in one line, exit 2")
struct OptionValueCLITests {
    struct Case: CustomStringConvertible, Sendable {
        var arguments: [String]
        var message: String
        var description: String { arguments.joined(separator: " ") }
    }

    static let violationKinds =
        "malformed, missing_field, bad_field, bad_timestamp, duplicate, unknown_state, after_terminal, illegal_transition, out_of_order"

    static let cases: [Case] = [
        Case(arguments: ["stale", "--older-than", "soon"],
             message: "--older-than 'soon' is not a duration like 90s, 15m, 2h, 1d (see 'task-ledger stale --help' for more information)"),
        Case(arguments: ["deliver", "--task", "t", "--channel", "c", "--cooldown", "5x"],
             message: "--cooldown '5x' is not a duration like 90s, 15m, 2h, 1d (see 'task-ledger deliver --help' for more information)"),
        Case(arguments: ["stale", "--now", "noon"],
             message: "--now 'noon' is not 'latest', an RFC 3339 timestamp or epoch seconds (see 'task-ledger stale --help' for more information)"),
        Case(arguments: ["report", "--out", "@DIR/r", "--now", "noon"],
             message: "--now 'noon' is not 'latest', an RFC 3339 timestamp or epoch seconds (see 'task-ledger report --help' for more information)"),
        Case(arguments: ["write", "--task", "t", "--state", "QUEUED", "--ts", "yesterday"],
             message: "--ts 'yesterday' is not an RFC 3339 timestamp (2026-11-24T10:00:00Z) or epoch seconds (see 'task-ledger write --help' for more information)"),
        Case(arguments: ["report", "--out", "@DIR/r", "--until", "2026-13-01"],
             message: "--until '2026-13-01' is not an RFC 3339 timestamp (2026-11-24T10:00:00Z) or epoch seconds (see 'task-ledger report --help' for more information)"),
        Case(arguments: ["report", "--out", "@DIR/r", "--fail-on", "illegal_transition,bogus"],
             message: "--fail-on: 'bogus' is not a violation kind (use any, or some of: \(violationKinds)) (see 'task-ledger report --help' for more information)"),
        Case(arguments: ["report", "--out", "@DIR/r", "--fail-on", "applied"],
             message: "--fail-on: 'applied' is not a violation kind (use any, or some of: \(violationKinds)) (see 'task-ledger report --help' for more information)"),
        Case(arguments: ["import", "--format", "csv,xml", "-"],
             message: "--format: 'xml' is not one of csv, md, json, junit, html (or all) (see 'task-ledger import --help' for more information)"),
        Case(arguments: ["report", "--out", "@DIR/r", "--format", "csv,,md"],
             message: "--format: '' is not one of csv, md, json, junit, html (or all) (see 'task-ledger report --help' for more information)"),
        Case(arguments: ["import", "--field", "task", "-"],
             message: "bad --field spec 'task': expected FIELD=KEY, e.g. --field task=job_id (see 'task-ledger import --help' for more information)"),
        Case(arguments: ["import", "--field", "task=job_id", "--field", "owner=x", "-"],
             message: "unknown field 'owner' in --field 'owner=x': the fields are task, state, ts, id, actor, source, stage, detail (see 'task-ledger import --help' for more information)"),
    ]

    /// The refusal comes before the ledger is opened: the ledger named does not even exist.
    @Test(arguments: cases)
    func aBadValueIsRefusedBeforeTheLedgerIsOpened(_ c: Case) throws {
        let dir = try TempDirectory()
        let db = dir.path("none.sqlite")
        let arguments = [c.arguments[0], "--db", db] + c.arguments.dropFirst().map { $0.replacingOccurrences(of: "@DIR", with: dir.url.path) }
        let result = try CLI.run(arguments, stdin: Data())
        #expect(result.status == 2)
        #expect(result.stderr == "task-ledger: error: \(c.message)\n")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    /// The parsed values reach the command: `--now`, `--older-than`, `--since`/`--until`,
    /// `--format` and `--fail-on` together, against a ledger with one open and one refused task.
    @Test func parsedValuesReachTheCommand() throws {
        let dir = try TempDirectory()
        let db = dir.path("l.sqlite")
        for (task, state, ts) in [("a", "QUEUED", "2026-11-24T10:00:00Z"), ("b", "SUCCEEDED", "1795515300")] {
            _ = try CLI.run(["write", "--db", db, "--task", task, "--state", state, "--ts", ts])
        }
        let stale = try CLI.run(["stale", "--db", db, "--now", "latest", "--older-than", "10m"])
        #expect(stale.status == 0)
        #expect(stale.stdout.hasSuffix("\na\tQUEUED\t2026-11-24T10:00:00.000Z\t15m 00s\t\t\n"), "\(stale.stdout)")
        #expect(stale.stderr == "1 stale task at 2026-11-24T10:15:00.000Z\n")
        let notYet = try CLI.run(["stale", "--db", db, "--now", "2026-11-24T10:05:00Z", "--older-than", "10m"])
        #expect(notYet.stderr == "0 stale tasks at 2026-11-24T10:05:00.000Z\n")
        let report = try CLI.run([
            "report", "--db", db, "--out", dir.path("r"), "--now", "latest", "--since", "2026-11-24T00:00:00Z",
            "--until", "1795564800", "--format", " md , json", "--fail-on", "illegal_transition, after_terminal",
        ])
        #expect(report.status == 1, "\(report.stderr)")
        #expect(report.stderr.hasSuffix("--fail-on: after_terminal 0, illegal_transition 1\n"), "\(report.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("r")).sorted() == ["report.md", "summary.json"])
    }
}
