import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

/// `sniff`: from an unknown log to a first audit in two commands.
@Suite("sniff: proposals on the built-ins' fixtures, real processes")
struct SniffCLITests {
    struct Case: Sendable, CustomStringConvertible {
        var fixture: String
        var task: String
        var state: String
        var ts: String
        var only: String
        var description: String { fixture }
    }

    static let cases = [
        Case(
            fixture: "github-actions-workflow-jobs.jsonl", task: "workflow_job.id",
            state: "workflow_job.conclusion, then action",
            ts: "workflow_job.completed_at, then workflow_job.started_at, then workflow_job.created_at",
            only: "workflow_job.id matches *"),
        Case(fixture: "celery-events.jsonl", task: "uuid", state: "type", ts: "timestamp", only: "type matches task-*"),
    ]

    @Test(arguments: cases)
    func sniffProposesTheKeysAndItsProfileImportsWithoutIllegalTransitions(_ expected: Case) throws {
        let dir = try TempDirectory()
        let profile = dir.path("sniffed.yaml")
        let fixture = CLI.root.appendingPathComponent("fixtures/\(expected.fixture)").path
        let sniff = try CLI.run(["sniff", "--write-profile", profile, fixture])
        #expect(sniff.status == 0, "\(sniff.stderr)")
        let lines = sniff.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasPrefix("task:  \(expected.task) ·") || $0 == "task:  \(expected.task)" })
        #expect(lines.contains("state: \(expected.state)"))
        #expect(lines.contains("ts:    \(expected.ts)"))
        #expect(lines.contains("only:  \(expected.only)"))

        let db = dir.path("l.sqlite")
        let result = try CLI.run(["import", "--db", db, "--profile", profile, fixture])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("illegal_transition"))
        let judged = try DatabaseQueue(path: db).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM task_events WHERE verdict = 'illegal_transition'")
        }
        #expect(judged == 0)
        let applied = try DatabaseQueue(path: db).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM task_events WHERE verdict = 'applied'")
        }
        #expect(applied ?? 0 > 20)
    }

    @Test func sniffWithoutATaskKeyWritesNoProfileAndSaysWhy() throws {
        let dir = try TempDirectory()
        let log = dir.path("flat.jsonl")
        try "{\"msg\":\"hello\",\"level\":\"info\"}\n{\"msg\":\"bye\",\"level\":\"warn\"}\n".write(toFile: log, atomically: true, encoding: .utf8)
        let result = try CLI.run(["sniff", "--write-profile", dir.path("p.yaml"), log])
        #expect(result.status == 3)
        #expect(result.stderr.contains("no task, state and ts keys found"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("p.yaml")))
    }
}
