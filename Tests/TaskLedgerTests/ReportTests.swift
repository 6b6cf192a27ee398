import Foundation
import TaskLedgerTestSupport
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

/// The report files of a small hand-made ledger, written out by hand from SPEC §6 and §7.
@Suite struct ReportTests {
    static let now = t0 + 20 * 60_000

    @Test func outcomesListTerminalTasksByTaskWithDurationsAndEventCounts() throws {
        let report = try smallLedger().report(ReportOptions(now: Self.now))
        #expect(report.csv(.outcomes) == """
            task,state,first_ts,terminal_ts,duration_s,events,actor,source,stage,partial
            a,SUCCEEDED,2026-11-24T10:00:00.000Z,2026-11-24T10:00:12.345Z,12.345,4,w3,ci,deploy,false
            b,FAILED,2026-11-24T10:00:00.500Z,2026-11-24T10:00:03.000Z,2.500,5,,,,false

            """)
    }

    @Test func violationsListLiveWritesFirstThenFilesBytewiseThenLinesNumerically() throws {
        let report = try smallLedger().report(ReportOptions(now: Self.now))
        #expect(report.csv(.violations) == """
            file,line,task,kind,from_state,to_state,ts,event_id,message
            ,,a,after_terminal,SUCCEEDED,RUNNING,2026-11-24T10:00:20.000Z,,task already SUCCEEDED
            ,,b,illegal_transition,,RUNNING,2026-11-24T10:00:00.000Z,,RUNNING is not an initial state
            ,,b,unknown_state,QUEUED,Foo,2026-11-24T10:00:02.000Z,,state 'Foo' is not in the rules
            ,,b,out_of_order,QUEUED,RUNNING,2026-11-24T10:00:00.500Z,,ts earlier than last_ts 2026-11-24T10:00:01.000Z
            ,,a,duplicate,SUCCEEDED,RECEIVED,2026-11-24T10:00:00.000Z,,"the same event (task, state, ts, actor, source, stage, detail) is already in the ledger"
            a.jsonl,7,x,missing_field,,,,,no state
            in.jsonl,2,,malformed,,,,,not JSON
            in.jsonl,10,e,illegal_transition,RECEIVED,SUCCEEDED,2026-11-24T10:00:05.000Z,e-2,RECEIVED → SUCCEEDED is not allowed

            """)
    }

    @Test func staleListsOpenTasksPastThresholdByAgeThenTask() throws {
        let report = try smallLedger().report(ReportOptions(now: Self.now))
        #expect(report.csv(.stale) == """
            task,state,last_ts,age_s,actor,source,stage
            e,RECEIVED,2026-11-24T09:59:59.000Z,1201.000,,,
            c,QUEUED,2026-11-24T10:00:00.000Z,1200.000,w1,,
            cc,QUEUED,2026-11-24T10:00:00.000Z,1200.000,,,

            """)
    }

    @Test func summaryJSONHasItsDocumentedKeysInOrder() throws {
        let ledger = try smallLedger()
        let report = try ledger.report(ReportOptions(now: Self.now))
        #expect(report.summaryJSON == """
            {
              "ledger": "\(ledger.path)",
              "now": "2026-11-24T10:20:00.000Z",
              "lines": 17,
              "events": 14,
              "tasks": 6,
              "terminal": {"SUCCEEDED": 1, "FAILED": 1, "CANCELLED": 0, "TIMED_OUT": 0},
              "open": 4,
              "partial": {"terminal": 0, "open": 0},
              "stale": 3,
              "rejects": 3,
              "violations": {"malformed": 1, "missing_field": 1, "bad_field": 0, "bad_timestamp": 0, "duplicate": 1, "unknown_state": 1, "after_terminal": 1, "illegal_transition": 2, "out_of_order": 1},
              "violations_total": 8,
              "success_rate": 0.5000,
              "duration_s": {
                "SUCCEEDED": {"count": 1, "p50": 12.345, "p90": 12.345, "p99": 12.345},
                "FAILED": {"count": 1, "p50": 2.500, "p90": 2.500, "p99": 2.500},
                "CANCELLED": {"count": 0, "p50": null, "p90": null, "p99": null},
                "TIMED_OUT": {"count": 0, "p50": null, "p90": null, "p99": null}
              }
            }

            """)
        let parsed = try JSONSerialization.jsonObject(with: Data(report.summaryJSON.utf8)) as? [String: Any]
        #expect(parsed?["lines"] as? Int == 17)
    }

    @Test func violationCountsDriveFailOn() throws {
        let report = try smallLedger().report(ReportOptions(now: Self.now))
        #expect(report.violationCounts[.illegalTransition] == 2)
        #expect(report.violationCounts[.badField] == 0)
        #expect(report.violationCounts[.applied] == nil)
        #expect(report.hasViolations(of: [.afterTerminal]))
        #expect(!report.hasViolations(of: [.badField, .badTimestamp]))
        #expect(report.hasViolations)
    }

    @Test func sameLedgerAndOptionsGiveByteIdenticalFiles() throws {
        let ledger = try hostileLedger()
        let options = ReportOptions(now: t0 + 3_600_000)
        let (first, second) = (try tempDirectory(), try tempDirectory())
        let paths = try ledger.report(options).write(to: first)
        try ledger.report(options).write(to: second)
        #expect(paths.map { URL(fileURLWithPath: $0).lastPathComponent }
            == ["outcomes.csv", "violations.csv", "stale.csv", "summary.json", "report.md", "junit.xml", "report.html"])
        for path in paths {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let a = try Data(contentsOf: URL(fileURLWithPath: path))
            let b = try Data(contentsOf: URL(fileURLWithPath: second + "/" + name))
            #expect(a == b, "\(name) differs between two runs")
        }
    }

    @Test func formatsChooseTheFilesWritten() throws {
        let report = try smallLedger().report(ReportOptions(now: Self.now, formats: [.json]))
        let paths = try report.write(to: try tempDirectory())
        #expect(paths.map { URL(fileURLWithPath: $0).lastPathComponent } == ["summary.json"])
    }

    @Test func windowCountsOnlyRowsWithTsFromSinceInclusiveToUntilExclusive() throws {
        let ledger = try makeLedger()
        try ledger.write(StatusEvent(task: "w", state: "QUEUED", timestamp: t0))
        try ledger.write(StatusEvent(task: "w", state: "FOO", timestamp: t0 + 1000))
        try ledger.write(StatusEvent(task: "w", state: "BAR", timestamp: t0 + 2000))
        try ledger.write(StatusEvent(task: "v", state: "RECEIVED", timestamp: t0 + 1000))
        try ledger.write(StatusEvent(task: "v", state: "FAILED", timestamp: t0 + 1500))
        try importLines(ledger, file: "f", rejects: [
            (1, LineReject(kind: .badTimestamp, message: "no ts", task: "w")),
            (2, LineReject(kind: .badField, message: "in", timestamp: t0 + 1999)),
            (3, LineReject(kind: .badField, message: "out", timestamp: t0 + 2000)),
        ])
        let report = try ledger.report(ReportOptions(now: t0 + 5000, since: t0 + 1000, until: t0 + 2000))
        #expect(report.events == 3)
        #expect(report.tasks == 2)
        #expect(report.rejects == 1)
        #expect(report.violations.map(\.message) == ["state 'FOO' is not in the rules", "in"])
        #expect(report.outcomes.map(\.task) == ["v"])
        #expect(report.summaryJSON.contains("\"since\": \"2026-11-24T10:00:01.000Z\",\n  \"until\": \"2026-11-24T10:00:02.000Z\",\n"))
        let all = try ledger.report(ReportOptions(now: t0 + 5000))
        #expect((all.events, all.rejects, all.violations.count) == (5, 3, 5))
    }

    @Test func taskOrderIsUTF8ByteOrder() throws {
        let ledger = try makeLedger()
        // Bytewise: "B" < "a" < "z" < "é" (C3 A9) < "😀" (F0 …); Swift's String order differs for some.
        for task in ["😀", "é", "z", "a", "B", "ﬀ", "e\u{301}"] {
            try ledger.write(StatusEvent(task: task, state: "QUEUED", timestamp: t0))
            try ledger.write(StatusEvent(task: task, state: "CANCELLED", timestamp: t0 + 1))
        }
        let tasks = try ledger.report(ReportOptions(now: t0)).outcomes.map(\.task)
        #expect(tasks.map { Array($0.utf8) } == tasks.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(tasks.count == 7)
    }

    @Test func futureTasksAreNotStaleAndEqualAgesSortByTask() throws {
        let ledger = try makeLedger()
        try ledger.write(StatusEvent(task: "later", state: "QUEUED", timestamp: t0 + 10_000_000))
        try ledger.write(StatusEvent(task: "y", state: "QUEUED", timestamp: t0))
        try ledger.write(StatusEvent(task: "x", state: "QUEUED", timestamp: t0))
        try ledger.write(StatusEvent(task: "exact", state: "QUEUED", timestamp: t0 + 1))
        let report = try ledger.report(ReportOptions(now: t0 + 900_001))
        #expect(report.stale.map(\.snapshot.task) == ["x", "y"])
    }
}
