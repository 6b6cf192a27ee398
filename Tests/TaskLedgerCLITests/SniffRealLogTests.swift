import Foundation
import TaskLedgerTestSupport
import Testing

/// `sniff --write-profile` on every real capture in `../shared/real-logs/` (sources in its
/// README), then `import` with the written profile, both by the real binary: the keys sniff
/// chooses, and the violations the import gives — none, or the named real anomaly of the file.
@Suite("sniff: real logs of other systems, from sniff to a clean import")
struct SniffRealLogTests {
    static let logs = CLI.root.deletingLastPathComponent().appendingPathComponent("shared/real-logs")

    struct Case: Sendable, CustomStringConvertible {
        var files: [String]
        var task: String
        var state: String
        var ts: String
        /// Violation kind → count, from violations.csv; empty for a clean import.
        var violations: [String: Int] = [:]
        /// Lines the written profile must hold.
        var profileHas: [String] = []
        var description: String {
            guard let first = files.first else { return "no files (../shared/real-logs missing?)" }
            return files.count == 1 ? first : "\(first.prefix { $0 != "-" })-* (\(files.count) files)"
        }
    }

    static func files(_ prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: logs.path)) ?? []).filter { $0.hasPrefix(prefix) && $0.hasSuffix(".jsonl") }.sorted()
    }

    static let dbt = ["data.node_info.unique_id", "data.node_info.node_status", "info.ts"]
    static let job = ["workflow_job.id", "workflow_job.conclusion, then action", "workflow_job.completed_at, then workflow_job.started_at"]

    static let cases: [Case] = [
        Case(files: ["celery-celeriac.jsonl"], task: "uuid", state: "type", ts: "timestamp",
             // task-revoked sent twice for one uuid.
             profileHas: ["  CANCELLED: [CANCELLED]", "  TASK_REVOKED: CANCELLED"]),
        Case(files: ["celery-events.jsonl"], task: "uuid", state: "type", ts: "timestamp"),
        Case(files: ["celery-lionjiadong.jsonl"], task: "uuid", state: "type", ts: "timestamp"),
        Case(files: ["celery-plywatch.jsonl"], task: "uuid", state: "type", ts: "timestamp"),
        // The octokit completed example is a month before its queued example for the same id.
        Case(files: ["github-workflow_job.jsonl"], task: job[0], state: job[1], ts: job[2], violations: ["out_of_order": 1]),
        // Also the two terminals for one job: sniff keeps success/failure as states of their own.
        Case(files: ["github-workflow_job-all.jsonl"], task: job[0], state: job[1], ts: job[2], violations: ["out_of_order": 2],
             profileHas: ["states: [QUEUED, RUNNING, SUCCESS, FAILURE, WAITING]"]),
        // The ".with-conclusion" and ".with-pull-requests" examples repeat the others' content.
        Case(files: ["github-workflow_run.jsonl"], task: "workflow_run.id", state: "action",
             ts: "workflow_run.run_started_at, then workflow_run.updated_at, then workflow_run.created_at",
             violations: ["duplicate": 2]),
        Case(files: ["gitlab-job-events.jsonl"], task: "build_id", state: "build_status",
             ts: "build_finished_at, then build_started_at, then build_created_at",
             profileHas: ["ts_formats: [rfc3339, spaced]", "  SUCCESS: SUCCEEDED"]),
        Case(files: ["openlineage-marquez.jsonl"], task: "run.runId", state: "eventType", ts: "eventTime",
             profileHas: ["  COMPLETE: SUCCEEDED", "terminal: [SUCCEEDED]"]),
        Case(files: ["dbt-build-postgres.jsonl"], task: dbt[0], state: dbt[1], ts: dbt[2]),
        Case(files: ["dbt-run-failed-postgres.jsonl"], task: dbt[0], state: dbt[1], ts: dbt[2],
             profileHas: ["  ERROR: FAILED"]),
        Case(files: ["dbt-run-success-postgres.jsonl"], task: dbt[0], state: dbt[1], ts: dbt[2]),
        Case(files: ["dbt-test-postgres.jsonl"], task: dbt[0], state: dbt[1], ts: dbt[2]),
        // Snapshots: one line per node.
        Case(files: ["argo-dag-exhausted-retries-xfail-nodes.jsonl"], task: "id", state: "phase", ts: "finishedAt"),
        // One node has no phase at all.
        Case(files: ["argo-dag_retry_succeeded-nodes.jsonl"], task: "id", state: "phase", ts: "startedAt",
             violations: ["missing_field": 1]),
        Case(files: ["argo-steps-failed-retries-nodes.jsonl"], task: "id", state: "phase", ts: "startedAt"),
        // Informer order: SuccessfulCreate (15:50) after SuccessfulDelete (16:30) of one ReplicaSet.
        Case(files: ["kubernetes-events.jsonl"], task: "involvedObject.uid", state: "reason", ts: "firstTimestamp",
             violations: ["out_of_order": 1]),
        // unhandled_cmd_timer_cancel goes back 0.9 s from eventId 12 on.
        // The executions' ends map onto SPEC's by their last word; ContinuedAsNew has none.
        Case(files: files("temporal-"), task: "$file", state: "eventType", ts: "eventTime",
             profileHas: [
                "clock_skew: 900ms", "  id: [\"{$file}/{eventId}\"]", "  WORKFLOWEXECUTIONCOMPLETED: SUCCEEDED",
                "  EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: SUCCEEDED", "  WORKFLOWEXECUTIONFAILED: FAILED",
                "terminal: [SUCCEEDED, FAILED, CANCELLED, WORKFLOWEXECUTIONCONTINUEDASNEW]",
             ]),
        Case(files: files("stepfunctions-"), task: "$file", state: "type", ts: "timestamp",
             profileHas: ["  EXECUTIONSUCCEEDED: SUCCEEDED", "  EXECUTIONFAILED: FAILED", "terminal: [SUCCEEDED, FAILED]"]),
        // One history alone: its `taskId` repeats and is named like a task, but no state changes
        // along it, so the per-file counter still wins.
        Case(files: ["temporal-sdk-go-unhandled_cmd_timer_cancel.jsonl"], task: "$file", state: "eventType", ts: "eventTime",
             profileHas: ["clock_skew: 900ms"]),
        Case(files: ["stepfunctions-LambdaSQSIntegration-executionWithRetryPathMockedServices.jsonl"], task: "$file", state: "type",
             ts: "timestamp"),
    ]

    @Test(arguments: cases)
    func theWrittenProfileImportsTheSampleWithOnlyItsRealAnomalies(_ expected: Case) throws {
        #expect(expected.files.count >= 1)
        let paths = expected.files.map { Self.logs.appendingPathComponent($0).path }
        for path in paths {
            #expect(FileManager.default.fileExists(atPath: path), "missing real log \(path): ../shared/real-logs must be beside the repository")
        }
        let dir = try TempDirectory()
        let profile = dir.path("sniffed.yaml")
        let sniff = try CLI.run(["sniff", "--write-profile", profile] + paths)
        #expect(sniff.status == 0, "\(sniff.stderr)")
        let lines = sniff.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasPrefix("task:  \(expected.task) ·") || $0 == "task:  \(expected.task)" }, "\(sniff.stdout)")
        #expect(lines.contains("state: \(expected.state)"), "\(sniff.stdout)")
        #expect(lines.contains("ts:    \(expected.ts)"), "\(sniff.stdout)")
        let yaml = try String(contentsOfFile: profile, encoding: .utf8)
        for line in expected.profileHas {
            #expect(yaml.split(separator: "\n").contains(Substring(line)), "\(line) not in\n\(yaml)")
        }

        let out = dir.path("r")
        let result = try CLI.run(
            ["import", "--db", dir.path("l.sqlite"), "--profile", profile, "--now", "latest", "--report-dir", out] + paths)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try String(contentsOfFile: out + "/violations.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        var kinds: [String: Int] = [:]
        for row in rows {
            // file,line,task,kind,…: the kind is the fourth field (these files and tasks have no commas).
            kinds[String(row.split(separator: ",", omittingEmptySubsequences: false)[3]), default: 0] += 1
        }
        #expect(kinds == expected.violations, "\(result.stdout)")
    }

    /// Sniff stops rather than guess: these captures have no ts, or one line only.
    @Test(arguments: ["celery-plywatch-workers.jsonl", "gitlab-pipeline-events.jsonl"])
    func noProfileWhereTheCaptureCannotHaveOne(_ file: String) throws {
        let dir = try TempDirectory()
        let result = try CLI.run(["sniff", "--write-profile", dir.path("p.yaml"), Self.logs.appendingPathComponent(file).path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("no task, state and ts keys found"))
    }

    /// Before: dbt's `info.code` was the state, or nothing was found for the failed run.
    @Test func dbtAliasesItsResultsOntoSPECStates() throws {
        let dir = try TempDirectory()
        let profile = dir.path("p.yaml")
        let log = Self.logs.appendingPathComponent("dbt-test-postgres.jsonl").path
        let sniff = try CLI.run(["sniff", "--write-profile", profile, log])
        #expect(sniff.status == 0, "\(sniff.stderr)")
        let out = dir.path("r")
        _ = try CLI.run(["import", "--db", dir.path("l.sqlite"), "--profile", profile, "--now", "latest", "--report-dir", out, log])
        let outcomes = try String(contentsOfFile: out + "/outcomes.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        // 4 tests: 3 pass (a state of its own: dbt's pass is not a SPEC alias), 1 fails → FAILED
        // (its later "None" lines are left out by the only:, not an after_terminal).
        #expect(outcomes.count == 4)
        #expect(outcomes.filter { $0[1] == "FAILED" }.count == 1)
        #expect(outcomes.filter { $0[1] == "PASS" }.count == 3)
    }
}
