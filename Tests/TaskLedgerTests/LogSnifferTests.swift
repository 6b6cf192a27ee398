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

/// `LogSniffer` on small hand-written samples.
@Suite struct LogSnifferTests {
    @Test(arguments: [
        ("WorkflowExecutionCompleted", ["Completed", "Execution_Completed"]),
        ("EVENT_TYPE_WORKFLOW_EXECUTION_FAILED", ["FAILED", "EXECUTION_FAILED"]),
        ("ExecutionTimedOut", ["Out", "Timed_Out"]), ("task-succeeded", ["succeeded", "task_succeeded"]),
        ("run  done", ["done", "run_done"]), ("OK", []), ("completed", []), ("", []),
    ])
    func theLastWordsOfAValueAreFoundInEveryWayOfWritingWords(raw: String, words: [String]) {
        #expect(Lifecycle.lastWords(raw) == words)
    }

    /// Only an end that is never followed gets a SPEC end from its last word: the steps of an
    /// execution keep their own names.
    @Test func aHistorysEndMapsOntoSPECByItsLastWordAndItsStepsDoNot() throws {
        let lines = (1...3).flatMap { run in
            ["ExecutionStarted", "TaskSucceeded", run == 3 ? "ExecutionTimedOut" : "ExecutionSucceeded"].enumerated().map { n, type in
                #"{"run":"r\#(run)","type":"\#(type)","ts":\#(1_767_225_600 + n)}"#
            }
        }
        let decoder = EventDecoder(mapping: try FieldMapping(specs: ["task=run", "state=type"]))
        let lifecycle = Lifecycle(samples: lines.map { Array($0.utf8) }, decoder: decoder)
        let rules = try #require(lifecycle.rules())
        #expect(rules.terminalStates == ["SUCCEEDED", "TIMED_OUT"])
        #expect(rules.aliases["EXECUTIONSUCCEEDED"] == "SUCCEEDED")
        #expect(rules.aliases["EXECUTIONTIMEDOUT"] == "TIMED_OUT")
        #expect(rules.openStates == ["EXECUTIONSTARTED", "TASKSUCCEEDED"])
    }

    static func sniff(_ lines: [String]) -> SniffReport {
        var sniffer = LogSniffer()
        for line in lines { sniffer.add(line) }
        return sniffer.report()
    }

    /// Five jobs a…e, each pending → running → ok (e: broken), interleaved; a ping; a bad line.
    static let jobs: [String] = {
        var lines: [String] = []
        for (step, phase) in ["pending", "running", "ok"].enumerated() {
            for (n, key) in ["a", "b", "c", "d", "e"].enumerated() {
                let state = key == "e" && phase == "ok" ? "broken" : phase
                lines.append(#"{"kind":"job","job":{"key":"\#(key)","phase":"\#(state)","at":"2026-11-24T10:0\#(step):0\#(n)Z"}}"#)
            }
        }
        return lines + [#"{"kind":"ping","n":7}"#, "not json"]
    }()

    @Test func keysAreDottedPathsWithTypesAndFillRates() throws {
        let report = Self.sniff(Self.jobs)
        #expect(report.lines == 17 && report.objects == 16 && report.malformed == 1)
        let phase = try #require(report.keys.first { $0.path.description == "job.phase" })
        #expect(phase.present == 15 && phase.types == ["string": 15] && phase.distinct == 4)
        let at = try #require(report.keys.first { $0.path.description == "job.at" })
        #expect(at.timestamps == 15)
    }

    @Test func theProposalFindsTaskStateTsAndTheOtherLines() throws {
        let report = Self.sniff(Self.jobs)
        #expect(report.taskCandidates.first?.description == "job.key")
        #expect(report.state.map(\.description) == ["job.phase"])
        #expect(report.ts.map(\.description) == ["job.at"])
        #expect(report.selection.conditions == [.init(path: FieldPath(key: "kind"), patterns: ["job"])])
    }

    /// Observed values that are SPEC states or default aliases become them (pending → QUEUED,
    /// ok → SUCCEEDED); the others (broken) stay states of their own.
    @Test func theProfileAllowsExactlyTheObservedTransitions() throws {
        let rules = try #require(Self.sniff(Self.jobs).profile?.rules)
        #expect(rules.openStates == ["QUEUED", "RUNNING"])
        #expect(rules.terminalStates == ["SUCCEEDED", "BROKEN"])
        #expect(rules.aliases == ["PENDING": "QUEUED", "OK": "SUCCEEDED"])
        #expect(rules.initial == ["QUEUED"])
        #expect(rules.allows(from: "QUEUED", to: "RUNNING"))
        #expect(rules.allows(from: "RUNNING", to: "BROKEN"))
        #expect(!rules.allows(from: "QUEUED", to: "SUCCEEDED"))
        #expect(rules.echoes.isEmpty && rules.clockSkew == 0)
    }

    @Test func transitionsCountDirectlyFollowsPerTaskIgnoringDuplicates() {
        let report = Self.sniff(Self.jobs + [Self.jobs[2]])
        #expect(report.transitions.map { "\($0.from)>\($0.to)=\($0.count)" } == [
            "QUEUED>RUNNING=5", "RUNNING>SUCCEEDED=4", "RUNNING>BROKEN=1",
        ])
    }

    static func line(_ task: String, _ state: String, _ second: Int, extra: String = "") -> String {
        #"{"task_id":"\#(task)","status":"\#(state)","ts":"2026-11-24T10:00:\#(String(format: "%02d", second))Z"\#(extra)}"#
    }

    /// `complete` reads as SUCCEEDED, but here `done` follows it: aliasing it would make the
    /// sample's own `done` an after_terminal, so it stays a state of its own, and says so.
    @Test func aWouldBeTerminalThatIsFollowedStaysCustom() throws {
        let report = Self.sniff([
            Self.line("a", "start", 1), Self.line("a", "complete", 2), Self.line("a", "done", 3),
            Self.line("b", "start", 4), Self.line("b", "done", 5),
        ])
        let rules = try #require(report.profile?.rules)
        #expect(rules.aliases == ["DONE": "SUCCEEDED"])
        #expect(rules.openStates == ["START", "COMPLETE"])
        #expect(rules.terminalStates == ["SUCCEEDED"])
        #expect(rules.allows(from: "COMPLETE", to: "SUCCEEDED"))
        #expect(report.notes.contains { $0.hasPrefix("COMPLETE (SUCCEEDED) would end a task") })
    }

    /// A terminal state reported again is an echo of itself; a step back within the task of up
    /// to a minute is the clock skew; a larger one is left as an anomaly and noted.
    @Test func repeatsAfterTheEndAreEchoesAndSmallStepsBackAreClockSkew() throws {
        let report = Self.sniff([
            Self.line("a", "queued", 1), Self.line("a", "running", 3), Self.line("a", "failed", 2),
            Self.line("a", "failed", 4, extra: #","detail":"again""#),
        ])
        let rules = try #require(report.profile?.rules)
        #expect(rules.echoes == ["FAILED": ["FAILED"]])
        #expect(rules.clockSkew == 1000)
        let far = Self.sniff([
            Self.line("a", "queued", 50), Self.line("a", "running", 1), Self.line("b", "queued", 2),
        ].map { $0.replacingOccurrences(of: "10:00:50", with: "10:05:50") })
        #expect(far.profile?.rules.clockSkew == 0)
        #expect(far.notes.contains { $0.hasPrefix("1 event(s) go back in time by more than 1m") })
    }

    /// Celery's values share `task-`: set aside, the rest are SPEC states or aliases.
    @Test func aPrefixAllValuesShareIsSetAsideForAliases() throws {
        let lines = ["task-sent", "task-started", "task-succeeded"].enumerated().map { n, type in
            #"{"uuid":"u1","type":"\#(type)","timestamp":\#(1_700_000_000 + n)}"#
        } + [#"{"uuid":"u2","type":"task-sent","timestamp":1700000010}"#, #"{"uuid":"u2","type":"task-revoked","timestamp":1700000011}"#]
        let rules = try #require(Self.sniff(lines).profile?.rules)
        #expect(rules.aliases == ["TASK_STARTED": "RUNNING", "TASK_SUCCEEDED": "SUCCEEDED", "TASK_REVOKED": "CANCELLED"])
        #expect(rules.states.contains("TASK_SENT"))
    }

    /// Per-execution histories: no task id, a counter 1..n in every file, an event type.
    @Test func historyFilesAreOneTaskPerFile() throws {
        var sniffer = LogSniffer()
        for file in ["runs/exec-1.jsonl", "runs/exec-2.jsonl"] {
            sniffer.startFile(file)
            for (n, type) in ["ExecutionStarted", "TaskScheduled", "TaskSucceeded", "ExecutionSucceeded"].enumerated() {
                sniffer.add(#"{"id":\#(n + 1),"previousEventId":\#(n),"type":"\#(type)","timestamp":"2026-11-24T10:00:0\#(n)Z"}"#)
            }
        }
        let report = sniffer.report()
        #expect(report.historyCounter?.description == "id")
        #expect(report.taskCandidates.first?.description == "$file")
        #expect(report.state.map(\.description) == ["type"])
        #expect(report.ts.map(\.description) == ["timestamp"])
        let profile = try #require(report.profile)
        #expect(profile.mapping.keys(for: .id) == ["{$file}/{id}"])
        #expect(report.transitions.map { "\($0.from)>\($0.to)=\($0.count)" } == [
            // The execution's end, never followed, maps onto SPEC's by its last word.
            "EXECUTIONSTARTED>TASKSCHEDULED=2", "TASKSCHEDULED>TASKSUCCEEDED=2", "TASKSUCCEEDED>SUCCEEDED=2",
        ])
        // One file with a counter but also a real task key (named so, repeating): not a history.
        var plain = LogSniffer()
        plain.startFile("jobs.jsonl")
        for (n, state) in ["queued", "running", "queued", "running"].enumerated() {
            plain.add(#"{"seq":\#(n + 1),"task_id":"t\#(n / 2)","type":"\#(state)","ts":"2026-11-24T10:00:0\#(n)Z"}"#)
        }
        #expect(plain.report().taskCandidates.first?.description == "task_id")
    }

    /// Of two unnamed keys that change along a task, the one that reads as a lifecycle (tasks
    /// start in one value and end in one) wins over a per-line code.
    @Test func aKeyThatLooksLikeALifecycleWins() {
        var lines: [String] = []
        for task in 0..<6 {
            for (step, phase) in ["a", "b", "c"].enumerated() {
                let code = "C\((task * 3 + step) % 4)"
                lines.append(#"{"key":"k\#(task)","zcode":"\#(code)","step":"\#(phase)","at":"2026-11-24T10:00:0\#(step)Z"}"#)
            }
        }
        let report = Self.sniff(lines)
        #expect(report.state.map(\.description) == ["step"])
    }

    /// The state key has a name: dbt's `node_status` over `info.code`, on few of the lines.
    @Test func aStateNamedKeyOnFewLinesBeatsAFullerCode() throws {
        var lines = (0..<20).map { #"{"info":{"code":"A\#($0 % 5)","ts":"2026-11-24T10:00:\#(String(format: "%02d", $0))Z"}}"# }
        for (n, status) in ["started", "executing", "error", "None"].enumerated() {
            lines.append(#"{"info":{"code":"Q0\#(n)","ts":"2026-11-24T10:01:0\#(n)Z"},"data":{"node_info":{"unique_id":"model.x","node_status":"\#(status)"}}}"#)
        }
        let report = Self.sniff(lines)
        #expect(report.taskCandidates.first?.description == "data.node_info.unique_id")
        #expect(report.state.map(\.description) == ["data.node_info.node_status"])
        // The "None" line is left out by the only:, so FAILED (error) ends the task.
        #expect(report.selection.conditions.contains(.init(
            path: try FieldPath(parsing: "data.node_info.node_status"), patterns: ["error", "executing", "started"])))
        let rules = try #require(report.profile?.rules)
        #expect(rules.terminalStates == ["FAILED"])
    }

    /// GitLab's `2023-01-10 13:50:05 UTC` counts as a timestamp and asks for `ts_formats`.
    @Test func spacedTimestampsAskForTheSpacedFormat() throws {
        let report = Self.sniff([
            #"{"build_id":1,"build_status":"created","build_created_at":"2021-02-23T02:41:37.886Z"}"#,
            #"{"build_id":2,"build_status":"success","build_created_at":"2023-01-10 13:50:02 UTC"}"#,
        ])
        #expect(report.taskCandidates.first?.description == "build_id")
        #expect(report.state.map(\.description) == ["build_status"])
        #expect(report.ts.map(\.description) == ["build_created_at"])
        #expect(report.profile?.timestampFormats == [.rfc3339, .spaced])
    }
}
