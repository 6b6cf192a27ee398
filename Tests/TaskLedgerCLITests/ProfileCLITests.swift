import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

/// `import --profile`, `profiles`, `profile show`: the built-in profiles on their fixtures.
@Suite("profiles: built-ins on their fixtures, real processes")
struct ProfileCLITests {
    /// task → final state, from the snapshot table.
    func finalStates(_ db: String) throws -> [String: String] {
        try DatabaseQueue(path: db).read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT task, state FROM task_state_snapshot").map {
                (($0["task"] as String), ($0["state"] as String))
            })
        }
    }

    func importFixture(_ fixture: String, _ options: [String], into db: String) throws -> CLI.Result {
        let result = try CLI.run(["import", "--db", db] + options + [CLI.root.appendingPathComponent("fixtures/\(fixture)").path])
        #expect(result.status == 0, "\(result.stderr)")
        return result
    }

    /// Written by hand from fixtures/github-actions-workflow-jobs.jsonl.
    static let githubOutcomes: [String: String] = [
        "29679001": "SUCCEEDED",  // build: queued, in_progress, completed/success
        "29679002": "FAILED",  // test: completed/failure
        "29679003": "CANCELLED",  // lint: completed/cancelled
        "29679004": "CANCELLED",  // e2e: only completed/skipped
        "29679005": "SUCCEEDED",  // deploy-staging: queued, waiting, in_progress, success
        "29679006": "WAITING",  // deploy-production: completed/action_required
        "29679007": "TIMED_OUT",  // integration: completed/timed_out
        "29679008": "SUCCEEDED",  // docs: completed/neutral
        "29679009": "RUNNING",  // bench: still in_progress
        "29679010": "CANCELLED",  // build of run 504: cancelled while queued
        "run-10296850501": "FAILED",  // the workflow run: requested, completed/failure
    ]

    @Test func githubActionsDeliveriesGiveTheJobsOutcomes() throws {
        let dir = try TempDirectory()
        let db = dir.path("gha.sqlite")
        let result = try importFixture("github-actions-workflow-jobs.jsonl", ["--profile", "github-actions"], into: db)
        // 31 lines: a ping skipped, one redelivery a duplicate, the workflow_run deliveries a run's.
        #expect(result.stdout.hasPrefix("lines 31 · applied 29 · violations: duplicate 1 · rejects 1 · skipped 1 · "))
        #expect(try finalStates(db) == Self.githubOutcomes)
        let build = try DatabaseQueue(path: db).read { db in
            try Row.fetchOne(db, sql: "SELECT actor, source, stage, terminal_ts FROM task_state_snapshot WHERE task = '29679001'")
        }
        #expect(build?["actor"] as String? == "GitHub Actions 4")
        #expect(build?["source"] as String? == "octo-org/shop")
        #expect(build?["stage"] as String? == "build")
        #expect(build?["terminal_ts"] as Int64? == 1_795_511_130_000)  // completed_at 09:05:30Z
    }

    /// Written by hand from fixtures/celery-events.jsonl.
    static let celeryOutcomes: [String: String] = [
        "4c7f2a9e-1b3d-4e5f-8a6b-0c1d2e3f4a5b": "SUCCEEDED",  // A: sent, received, started, succeeded
        "9d8e7f6a-5b4c-4d3e-9f2a-1b0c9d8e7f6a": "FAILED",  // B: failed
        "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d": "SUCCEEDED",  // C: retried, received again, succeeded
        "e5f4d3c2-b1a0-4f9e-8d7c-6b5a4f3e2d1c": "CANCELLED",  // D: revoked after being received
        "77a1c2d3-e4f5-4a6b-9c8d-e7f6a5b4c3d2": "CANCELLED",  // E: revoked while queued
        "0f1e2d3c-4b5a-4697-8877-665544332211": "RUNNING",  // F: no task-sent, still running
        "abcdef01-2345-4678-9abc-def012345678": "CANCELLED",  // G: revoked with terminate
        "5a5b5c5d-6e6f-4a7a-8b8b-9c9d0e0f1a1b": "SUCCEEDED",  // H: rejected, requeued, succeeded
        "c0ffee00-1234-4bcd-8ef0-123456789abc": "FAILED",  // I: retried twice, then failed
    ]

    @Test func celeryEventsGiveTheTasksOutcomes() throws {
        let dir = try TempDirectory()
        let db = dir.path("celery.sqlite")
        let result = try importFixture("celery-events.jsonl", ["--profile", "celery"], into: db)
        // 52 lines: 10 worker-* events skipped, every task event applied.
        #expect(result.stdout.hasPrefix("lines 52 · applied 42 · violations: none · rejects 0 · skipped 10 · "))
        #expect(try finalStates(db) == Self.celeryOutcomes)
        let retried = try DatabaseQueue(path: db).read { db in
            try Row.fetchOne(db, sql: "SELECT first_ts, terminal_ts, source, actor FROM task_state_snapshot WHERE task = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'")
        }
        #expect(retried?["first_ts"] as Int64? == 1_795_510_802_500)  // task-sent at +2.5 s
        #expect(retried?["terminal_ts"] as Int64? == 1_795_510_809_800)  // task-succeeded at +9.8 s
        #expect(retried?["source"] as String? == "celery")
        #expect(retried?["actor"] as String? == "celery@worker-2.prod")
    }

    @Test func theDefaultProfileImportsLikeNoProfile() throws {
        let dir = try TempDirectory()
        let plain = try importFixture("events.jsonl", [], into: dir.path("plain.sqlite"))
        let profiled = try importFixture("events.jsonl", ["--profile", "default"], into: dir.path("default.sqlite"))
        #expect(plain.stdout.split(separator: "·").prefix(4) == profiled.stdout.split(separator: "·").prefix(4))
        #expect(try finalStates(dir.path("plain.sqlite")) == finalStates(dir.path("default.sqlite")))
    }

    @Test func rulesAndFieldOptionsOverrideTheProfile() throws {
        let dir = try TempDirectory()
        let rules = dir.path("rules.yaml")
        // SPEC rules know none of Celery's event types: every task event is unknown_state.
        try CLI.run(["rules"]).stdout.write(toFile: rules, atomically: true, encoding: .utf8)
        let result = try importFixture(
            "celery-events.jsonl", ["--profile", "celery", "--rules", rules, "--field", "actor=name"], into: dir.path("c.sqlite"))
        #expect(result.stdout.contains("unknown_state 42"))
        let actor = try DatabaseQueue(path: dir.path("c.sqlite")).read { db in
            try String.fetchOne(db, sql: "SELECT actor FROM task_events WHERE state = 'task-sent' ORDER BY seq LIMIT 1")
        }
        #expect(actor == "shop.tasks.send_receipt")
    }

    @Test func profilesListsTheBuiltInsAndShowPrintsTheShippedFile() throws {
        let list = try CLI.run(["profiles"])
        #expect(list.status == 0)
        let names = ["default", "github-actions", "gitlab-ci", "celery", "dbt", "openlineage", "temporal", "aws-step-functions"]
        #expect(list.stdout.split(separator: "\n").map { $0.split(separator: " ").first! } == names.map { Substring($0) })
        for name in names {
            let shown = try CLI.run(["profile", "show", name])
            #expect(shown.status == 0)
            let file = try String(contentsOf: CLI.root.appendingPathComponent("profiles/\(name).yaml"), encoding: .utf8)
            #expect(shown.stdout == file)
        }
    }

    @Test func aShownProfileLoadsBackAsAFile() throws {
        let dir = try TempDirectory()
        let file = dir.path("mine.yaml")
        try CLI.run(["profile", "show", "celery"]).stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let db = dir.path("c.sqlite")
        let result = try importFixture("celery-events.jsonl", ["--profile", file], into: db)
        #expect(result.stdout.hasPrefix("lines 52 · applied 42 · violations: none · rejects 0 · skipped 10 · "))
        #expect(try CLI.run(["profile", "show", file]).stdout.contains("name: \"celery\""))
    }

    @Test func aBrokenProfileIsRefusedWithFileAndLine() throws {
        let dir = try TempDirectory()
        let file = dir.path("broken.yaml")
        try "name: broken\nstates: [QUEUED]\nterminal: [DONE]\ninitial: [QUEUED]\ntransitions:\n  QUEUED: [DONE, GONE]\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try CLI.run(["import", "--db", dir.path("l.sqlite"), "--profile", file, "-"], stdin: Data())
        #expect(result.status == 3)
        #expect(result.stderr == "task-ledger: error: \(file):6: unknown state 'GONE' in transitions of QUEUED: list it under states or terminal\n")
        let unknown = try CLI.run(["import", "--db", dir.path("l.sqlite"), "--profile", "no-such-profile", "-"], stdin: Data())
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("not a built-in profile (default, github-actions, gitlab-ci, celery, dbt, openlineage, temporal, aws-step-functions)"))
    }

    @Test(arguments: [["sniff", "--help"], ["profiles", "--help"], ["profile", "show", "--help"], ["import", "--help"], ["help", "sniff"]])
    func helpIsPrintedWithExitZero(_ arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("USAGE: task-ledger"))
    }
}
