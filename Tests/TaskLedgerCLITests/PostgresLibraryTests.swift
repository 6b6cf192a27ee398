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

/// ``PostgresLedger`` used from Swift in this process (its API is synchronous, no bridge), next to
/// an SQLite ``Ledger`` given the same calls: the values that come back are the same.
@Suite("PostgresLedger in process", .enabled(if: PostgresTestServer.isAvailable, PostgresTestServer.skipReason))
struct PostgresLibraryTests {
    private static let t0: Int64 = 1_795_514_400_000  // 2026-11-24T10:00:00Z

    /// One task's life and its refusals (SPEC §4): applied ×3, then after_terminal, a duplicate id,
    /// an unknown state and an event of another task.
    private static let events = [
        StatusEvent(task: "build-42", state: "queued", timestamp: t0, id: "e1", actor: "ci-7"),
        StatusEvent(task: "build-42", state: "running", timestamp: t0 + 1000, id: "e2", actor: "ci-7", stage: "compile"),
        StatusEvent(task: "build-42", state: "succeeded", timestamp: t0 + 2000, id: "e3", detail: "tab\there, \"quoted\" \\"),
        StatusEvent(task: "build-42", state: "failed", timestamp: t0 + 3000, id: "e4"),
        StatusEvent(task: "build-42", state: "running", timestamp: t0 + 4000, id: "e2"),
        StatusEvent(task: "build-43", state: "bogus", timestamp: t0 + 5000),
        StatusEvent(task: "build-43", state: "queued", timestamp: t0 + 6000, source: "ünïcode"),
    ]

    @Test func writesSnapshotsHistoryImportsAndReportsMatchSQLite() throws {
        let dir = try TempDirectory()
        let pg = try ScratchDatabase()
        let stores = [try Ledger(dir.path("ledger.sqlite")), try Ledger(pg.url)]
        var seen: [[String]] = []
        var reports: [Report] = []
        for store in stores {
            let verdicts = try Self.events.map { try store.write($0) }
            #expect(verdicts == [.applied, .applied, .applied, .afterTerminal, .duplicate, .unknownState, .applied])
            let snapshot = try #require(try store.snapshot(task: "build-42"))
            #expect(snapshot == Snapshot(
                task: "build-42", state: "SUCCEEDED", stage: "", actor: "", source: "",
                firstTimestamp: Self.t0, lastTimestamp: Self.t0 + 2000, terminalTimestamp: Self.t0 + 2000))
            // The duplicate is a reject, not history; after_terminal is history, not applied.
            let history = try store.history(task: "build-42")
            #expect(history.map(\.verdict) == [.applied, .applied, .applied, .afterTerminal])
            #expect(history.map(\.state) == ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"])
            #expect(history[2].detail == "tab\there, \"quoted\" \\")
            #expect(try store.eventCount(task: "build-43") == 2)

            let fixture = CLI.root.appendingPathComponent("fixtures/events.jsonl").path
            let lines = try String(contentsOfFile: fixture, encoding: .utf8).filter { $0 == "\n" }.count
            let summary = try store.importFile(fixture, decoder: EventDecoder(), batchSize: 7)
            #expect(summary.lines == lines)
            let again = try store.importFile(fixture, batchSize: 7)
            #expect(again.lines == 0 && again.resumedLines == lines, "a re-import resumes past every line")

            let now = try #require(try store.latestTimestamp())
            var report = try store.report(ReportOptions(now: now))
            #expect(report.outcomes.contains { $0.task == "build-42" && $0.state == "SUCCEEDED" && $0.events == 4 })
            report.ledgerPath = ""
            reports.append(report)
            let verify = try store.verify()
            #expect(verify.isClean)
            seen.append([
                "\(summary.verdicts.sorted { $0.key.rawValue < $1.key.rawValue })", "\(history.map { [$0.task, $0.state, $0.detail, $0.actor] })",
                "\(try store.staleTasks(now: now, olderThan: 60_000))", "\(verify.events) \(verify.tasks)",
            ])
        }
        #expect(seen[0] == seen[1])
        #expect(reports[0] == reports[1])
    }

    @Test func itsLocationIsTheURLWithoutPassword() throws {
        let pg = try ScratchDatabase()
        let url = try #require(PostgresTestServer.adminURL)
        let admin = try #require(URLComponents(string: url))
        let ledger = try PostgresLedger(connectionString: pg.url)
        #expect(ledger.location == "postgresql://\(admin.user!)@\(admin.host!):\(admin.port!)/\(pg.name)")
    }

    /// Two threads on one ledger take turns on its one connection.
    @Test func threadsSharingALedgerTakeTurns() throws {
        let pg = try ScratchDatabase()
        let ledger = try PostgresLedger(connectionString: pg.url)
        let failures = FailureLog()
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for n in 0..<25 {
                do {
                    try ledger.write(StatusEvent(task: "t\(thread)", state: n == 0 ? "queued" : "running", timestamp: Self.t0 + Int64(n)))
                    _ = try ledger.snapshot(task: "t\(thread)")
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        #expect(failures.entries.isEmpty, "\(failures.entries.prefix(3))")
        #expect(try pg.query("SELECT count(*) FROM task_events") == "100")
    }

    @Test func aConnectionTheServerClosesIsAClearError() throws {
        let pg = try ScratchDatabase()
        let ledger = try PostgresLedger(connectionString: pg.url)
        try ledger.write(StatusEvent(task: "t1", state: "queued", timestamp: Self.t0))
        let admin = try #require(PostgresTestServer.adminURL)
        try PostgresTestServer.psql(
            admin,
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = '\(pg.name)'")
        let error = #expect(throws: LedgerError.self) { try ledger.snapshot(task: "t1") }
        #expect("\(error!)".contains("the server closed the connection"), "\(error!)")
    }
}
