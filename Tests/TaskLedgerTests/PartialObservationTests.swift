import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerProfiles
@testable import TaskLedgerReport
@testable import TaskLedgerSQLite

/// The three rules keys real systems needed beyond SPEC §3: `partial`, `echoes`, `clock_skew`.
struct PartialObservationTests {
    static func rules(partial: PartialObservation = .reject, echoes: [String: [String]] = [:], skew: Int64 = 0) throws -> Rules {
        try Rules(
            openStates: ["QUEUED", "RUNNING"], terminalStates: ["SUCCEEDED", "FAILED"], aliases: [:],
            initial: ["QUEUED"], transitions: ["QUEUED": ["RUNNING", "FAILED"], "RUNNING": ["SUCCEEDED", "FAILED"]],
            partial: partial, echoes: echoes, clockSkew: skew)
    }

    // MARK: judging

    @Test func aFirstEventThatIsNotInitialIsIllegalUnlessPartialIsAccepted() throws {
        let strict = try Self.rules()
        #expect(strict.judge(canonical: "RUNNING", timestamp: at(0), snapshot: nil, isDuplicate: false) == .illegalTransition)
        #expect(strict.judge(canonical: "FAILED", timestamp: at(0), snapshot: nil, isDuplicate: false) == .illegalTransition)
        let lenient = try Self.rules(partial: .accept)
        #expect(lenient.judge(canonical: "RUNNING", timestamp: at(0), snapshot: nil, isDuplicate: false) == .applied)
        #expect(lenient.judge(canonical: "FAILED", timestamp: at(0), snapshot: nil, isDuplicate: false) == .applied)
        // Accepting partial tasks does not accept unknown states or duplicates.
        #expect(lenient.judge(canonical: nil, timestamp: at(0), snapshot: nil, isDuplicate: false) == .unknownState)
        #expect(lenient.judge(canonical: "RUNNING", timestamp: at(0), snapshot: nil, isDuplicate: true) == .duplicate)
        // Nor a later illegal transition of a partial task.
        let running = Snapshot(task: "t", state: "RUNNING", firstTimestamp: at(0), lastTimestamp: at(0), partial: true)
        #expect(lenient.judge(canonical: "QUEUED", timestamp: at(1), snapshot: running, isDuplicate: false) == .illegalTransition)
    }

    @Test func echoesAreAppliedAfterTheEndAndNothingElseIs() throws {
        let rules = try Self.rules(echoes: ["FAILED": ["FAILED"]])
        let failed = Snapshot(task: "t", state: "FAILED", firstTimestamp: at(0), lastTimestamp: at(5), terminalTimestamp: at(5))
        #expect(rules.judge(canonical: "FAILED", timestamp: at(6), snapshot: failed, isDuplicate: false) == .applied)
        #expect(rules.judge(canonical: "SUCCEEDED", timestamp: at(6), snapshot: failed, isDuplicate: false) == .afterTerminal)
        #expect(rules.judge(canonical: "RUNNING", timestamp: at(6), snapshot: failed, isDuplicate: false) == .afterTerminal)
        #expect(rules.judge(canonical: "FAILED", timestamp: at(6), snapshot: failed, isDuplicate: true) == .duplicate)
        let succeeded = Snapshot(task: "t", state: "SUCCEEDED", firstTimestamp: at(0), lastTimestamp: at(5), terminalTimestamp: at(5))
        #expect(rules.judge(canonical: "SUCCEEDED", timestamp: at(6), snapshot: succeeded, isDuplicate: false) == .afterTerminal)
        #expect(rules.allows(from: "FAILED", to: "FAILED"))
        #expect(!rules.allows(from: "SUCCEEDED", to: "SUCCEEDED"))
    }

    @Test func anEchoChangesNothingInTheSnapshot() {
        let failed = Snapshot(
            task: "t", state: "FAILED", stage: "s", actor: "a", source: "src", firstTimestamp: at(0), lastTimestamp: at(5),
            terminalTimestamp: at(5))
        let after = failed.applying(event("t", "FAILED", at(9), actor: "other", stage: "x"), state: "FAILED", terminal: true)
        #expect(after == failed)
    }

    @Test func clockSkewKeepsAnEarlierEventInOrderUpToTheSkewAndNotBeyond() throws {
        let rules = try Self.rules(skew: 1000)
        let queued = Snapshot(task: "t", state: "QUEUED", firstTimestamp: at(0), lastTimestamp: at(10))
        #expect(rules.judge(canonical: "RUNNING", timestamp: at(10) - 1000, snapshot: queued, isDuplicate: false) == .applied)
        #expect(rules.judge(canonical: "RUNNING", timestamp: at(10) - 1001, snapshot: queued, isDuplicate: false) == .outOfOrder)
        let strict = try Self.rules()
        #expect(strict.judge(canonical: "RUNNING", timestamp: at(10) - 1, snapshot: queued, isDuplicate: false) == .outOfOrder)
    }

    // MARK: the rules file

    @Test func theThreeKeysLoadFromYAMLAndRoundTrip() throws {
        let yaml = """
            states: [QUEUED, RUNNING]
            terminal: [SUCCEEDED, FAILED]
            initial: [QUEUED]
            transitions:
              QUEUED: [RUNNING]
              RUNNING: [SUCCEEDED, FAILED]
            partial: accept
            echoes:
              FAILED: [FAILED, SUCCEEDED]
            clock_skew: 250ms
            """
        let rules = try Rules(yaml: yaml)
        #expect(rules.partial == .accept)
        #expect(rules.echoes == ["FAILED": ["FAILED", "SUCCEEDED"]])
        #expect(rules.clockSkew == 250)
        #expect(try Rules(yaml: rules.yaml) == rules)
        #expect(rules.yaml.contains("partial: accept\n"))
        #expect(rules.yaml.contains("  FAILED: [SUCCEEDED, FAILED]\n"))
        #expect(rules.yaml.contains("clock_skew: 250ms\n"))
        // The defaults are SPEC's and are printed too, so that `rules` shows every choice.
        #expect(Rules.standard.partial == .reject)
        #expect(Rules.standard.echoes.isEmpty && Rules.standard.clockSkew == 0)
        #expect(Rules.standard.yaml.contains("\npartial: reject\n"))
        #expect(Rules.standard.yaml.contains("\nechoes: {}\n"))
        #expect(Rules.standard.yaml.hasSuffix("\nclock_skew: 0s\n"))
    }

    @Test(arguments: [
        ("partial: maybe", "'partial' must be reject or accept, found maybe"),
        ("partial: [accept]", "'partial' must be reject or accept"),
        ("clock_skew: soon", "'clock_skew': 'soon' is not a duration like 50ms, 1s, 2m"),
        ("clock_skew: -1s", "'clock_skew': '-1s' is not a duration"),
        ("echoes:\n  RUNNING: [RUNNING]", "echoes lists 'RUNNING', which is not terminal"),
        ("echoes:\n  FAILED: [LOST]", "unknown state 'LOST' in echoes of FAILED: list it under states or terminal"),
        ("echoes:\n  GONE: [FAILED]", "unknown state 'GONE' in echoes"),
        ("echoes: [FAILED]", "'echoes' must be a mapping"),
    ])
    func aBadValueOfTheNewKeysIsRefusedByName(line: String, message: String) throws {
        let yaml = "states: [QUEUED, RUNNING]\nterminal: [SUCCEEDED, FAILED]\ninitial: [QUEUED]\n" + line + "\n"
        #expect {
            try Rules(yaml: yaml)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func aProfileNamesTheLineOfABadEcho() throws {
        let yaml = "name: x\nstates: [QUEUED]\nterminal: [DONE]\ninitial: [QUEUED]\nechoes:\n  QUEUED: [QUEUED]\n"
        #expect {
            try Profile(yaml: yaml, file: "x.yaml")
        } throws: { error in
            "\(error)" == "x.yaml:6: echoes lists 'QUEUED', which is not terminal: echoes are what may follow a task's end; list an open state's successors under transitions"
        }
    }

    // MARK: a real ledger

    /// A webhook stream of which the ledger saw only the second half: two jobs first seen
    /// running and completed, one seen whole.
    static let lines = [
        #"{"task":"whole","state":"QUEUED","ts":"2026-01-01T00:00:00Z"}"#,
        #"{"task":"mid","state":"RUNNING","ts":"2026-01-01T00:00:10Z"}"#,
        #"{"task":"whole","state":"RUNNING","ts":"2026-01-01T00:00:20Z"}"#,
        #"{"task":"late","state":"FAILED","ts":"2026-01-01T00:00:30Z"}"#,
        #"{"task":"mid","state":"SUCCEEDED","ts":"2026-01-01T00:01:10Z"}"#,
        #"{"task":"whole","state":"SUCCEEDED","ts":"2026-01-01T00:02:20Z"}"#,
        #"{"task":"open","state":"RUNNING","ts":"2026-01-01T00:03:00Z"}"#,
        #"{"task":"late","state":"FAILED","ts":"2026-01-01T00:03:01Z"}"#,
    ]

    @Test func partialTasksAreMarkedCountedAndLeftOutOfDurations() throws {
        let directory = try TempDirectory()
        let file = directory.path("half.jsonl")
        try (Self.lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let ledger = try Ledger(directory.path("l.sqlite"), rules: try Self.rules(partial: .accept, echoes: ["FAILED": ["FAILED"]]))
        let summary = try ledger.importFile(file)
        #expect(summary.verdicts.filter { $0.key != .applied }.values.reduce(0, +) == 0)
        #expect(try ledger.snapshot(task: "mid")?.partial == true)
        #expect(try ledger.snapshot(task: "whole")?.partial == false)
        #expect(try ledger.snapshot(task: "open")?.partial == true)
        // The echo changed nothing: the task ended at its first FAILED.
        #expect(try ledger.snapshot(task: "late")?.terminalTimestamp == at(30))
        #expect(try ledger.verify().differences.isEmpty)

        let report = try ledger.report(ReportOptions(now: at(200)))
        #expect(report.violations.isEmpty)
        #expect(report.partialCounts == (terminal: 2, open: 1))
        let outcomes = report.csv(.outcomes).split(separator: "\n").map(String.init)
        #expect(outcomes == [
            "task,state,first_ts,terminal_ts,duration_s,events,actor,source,stage,partial",
            "late,FAILED,2026-01-01T00:00:30.000Z,2026-01-01T00:00:30.000Z,,2,,,,true",
            "mid,SUCCEEDED,2026-01-01T00:00:10.000Z,2026-01-01T00:01:10.000Z,,2,,,,true",
            "whole,SUCCEEDED,2026-01-01T00:00:00.000Z,2026-01-01T00:02:20.000Z,140.000,3,,,,false",
        ])
        let json = report.summaryJSON
        #expect(json.contains(#""partial": {"terminal": 2, "open": 1},"#))
        // Only `whole` is measured: one SUCCEEDED duration, none for FAILED.
        #expect(json.contains(#""SUCCEEDED": {"count": 1, "p50": 140.000, "p90": 140.000, "p99": 140.000}"#))
        #expect(json.contains(#""FAILED": {"count": 0, "p50": null, "p90": null, "p99": null}"#))
        #expect(report.markdown.contains(#"| state | tasks | partial | p50 \(s\) | p90 \(s\) | p99 \(s\) |"#))
        #expect(report.markdown.contains("3 tasks were first seen mid-lifecycle (partial: 2 ended, 1 open)"))
    }

    @Test func underRejectTheSameLinesAreIllegalAndNoTaskIsPartial() throws {
        let directory = try TempDirectory()
        let file = directory.path("half.jsonl")
        try (Self.lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let ledger = try Ledger(directory.path("l.sqlite"), rules: try Self.rules())
        _ = try ledger.importFile(file)
        let report = try ledger.report(ReportOptions(now: at(200)))
        // mid RUNNING, late FAILED (twice), open RUNNING: not initial; mid SUCCEEDED: no snapshot to go from.
        #expect(report.violations.map(\.kind) == Array(repeating: .illegalTransition, count: 5))
        #expect(report.partialCounts == (terminal: 0, open: 0))
        #expect(!report.markdown.contains("partial"))
    }

    /// SPEC-level promise of the design: the choice is made on the first event a ledger sees of
    /// a task, so two halves give the verdicts of the whole, cut anywhere.
    @Test(arguments: [.reject, .accept] as [PartialObservation])
    func importingInTwoHalvesGivesTheVerdictsOfTheWhole(partial: PartialObservation) throws {
        let directory = try TempDirectory()
        let rules = try Self.rules(partial: partial, echoes: ["FAILED": ["FAILED"]])
        func verdicts(_ files: [[String]], _ name: String) throws -> [[String]] {
            let ledger = try Ledger(directory.path("\(name).sqlite"), rules: rules)
            for (n, lines) in files.enumerated() where !lines.isEmpty {
                let file = directory.path("\(name)-\(n).jsonl")
                try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
                _ = try ledger.importFile(file)
            }
            return try DatabaseQueue(path: directory.path("\(name).sqlite")).read { db in
                try Row.fetchAll(db, sql: "SELECT task, state, verdict, from_state FROM task_events ORDER BY seq")
                    .map { row in row.databaseValues.map(\.description) }
            }
        }
        let whole = try verdicts([Self.lines], "whole")
        for cut in 0...Self.lines.count {
            #expect(try verdicts([Array(Self.lines[..<cut]), Array(Self.lines[cut...])], "cut\(cut)") == whole)
        }
    }

    // MARK: schema version 2

    @Test func aVersion1LedgerGetsThePartialColumnWhenOpened() throws {
        let directory = try TempDirectory()
        let path = directory.path("v1.sqlite")
        // A version 1 ledger as another tool would make it from the v1 schema file: no GRDB records.
        let v1 = Schema.sql.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("    partial ") }
            .map { $0.hasPrefix("    terminal_ts  INTEGER,") ? "    terminal_ts  INTEGER" : String($0) }
            // v5's covering index of open tasks names the column too.
            .map { $0.replacingOccurrences(of: ", partial, terminal_ts)", with: ", terminal_ts)") }
            .joined(separator: "\n")
        #expect(!v1.contains("partial      INTEGER") && Schema.sql.contains("partial      INTEGER"))
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: v1)
            try db.execute(sql: "PRAGMA user_version = 1")
            // The rest is today's schema: the row is keyed as it says (task_keys, v5; its hash, v6).
            try db.execute(sql: "INSERT INTO task_keys (task_key, task, task_hash) VALUES (1, 'old', ?)", arguments: [TaskKeyStatements.hash("old")])
            try db.execute(sql: "INSERT INTO task_state_snapshot (task_key, task, state, first_ts, last_ts) VALUES (1, 'old', 'RUNNING', 1, 2)")
        }
        try queue.close()
        let ledger = try Ledger(path)
        #expect(try ledger.snapshot(task: "old")?.partial == false)
        let version = try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
        #expect(version == 8)
        // Opening it again is a no-op.
        _ = try Ledger(path)
    }
}
