import Foundation
import Testing
import TaskLedger
import TaskLedgerTestSupport

/// The code of the DocC articles (Sources/TaskLedger/TaskLedger.docc), run against real SQLite
/// ledgers in a temp directory, so that the examples keep compiling and keep saying what the
/// ledger does. Each test is one article section; change both together. Only `import TaskLedger`
/// (and the temp-directory helper): the articles show what a user of the library can call.
struct DocumentationExampleTests {
    // MARK: TaskLedger.md

    @Test func theLandingPageExampleWritesReadsAndReports() throws {
        let directory = try TempDirectory()
        let ledger = try Ledger(directory.path("ledger.sqlite"))
        let now = Timestamp.parse("2026-03-01T10:00:00Z")!
        let verdict = try ledger.write(StatusEvent(task: "build-42", state: "queued", timestamp: now))
        let state = try ledger.snapshot(task: "build-42")?.state
        let files = try ledger.report(ReportOptions(now: now)).write(to: directory.path("out"))
        #expect(verdict == .applied)
        #expect(state == "QUEUED")
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent }
            == ["outcomes.csv", "violations.csv", "stale.csv", "summary.json", "report.md", "junit.xml", "report.html"])
    }

    // MARK: RecordingEventsFromASwiftWorker.md

    @Test func writingEventsReturnsTheVerdictsTheArticleShows() throws {
        let directory = try TempDirectory()
        let ledger = try Ledger(directory.path("ledger.sqlite"))

        let queuedAt = Timestamp.parse("2026-03-01T10:00:00Z")!
        let verdict = try ledger.write(
            StatusEvent(task: "build-42", state: "queued", timestamp: queuedAt, id: "build-42/1", actor: "worker-7"))
        #expect(verdict == .applied)
        #expect(try ledger.write(
            StatusEvent(task: "build-42", state: "queued", timestamp: queuedAt, id: "build-42/1", actor: "worker-7"))
            == .duplicate)

        let started = try ledger.write(StatusEvent(task: "build-42", state: "in-progress", timestamp: queuedAt + 5_000))
        let finished = try ledger.write(StatusEvent(task: "build-42", state: "done", timestamp: queuedAt + 65_000))
        let late = try ledger.write(StatusEvent(task: "build-42", state: "running", timestamp: queuedAt + 70_000))
        #expect([started, finished, late] == [.applied, .applied, .afterTerminal])
        #expect(late.isViolation)
        #expect("build-42: \(late.rawValue)" == "build-42: after_terminal")

        let snapshot = try #require(try ledger.snapshot(task: "build-42"))
        #expect(snapshot.state == "SUCCEEDED")
        #expect(snapshot.terminalTimestamp == queuedAt + 65_000)
        #expect((snapshot.lastTimestamp - snapshot.firstTimestamp) / 1000 == 65)
        #expect(try ledger.snapshot(task: "build-43") == nil)

        let lines = try ledger.history(task: "build-42").map { event in
            "\(event.seq) \(event.fromState ?? "-") → \(event.state) \(event.verdict.rawValue)"
        }
        #expect(lines == [
            "1 - → QUEUED applied",
            "2 QUEUED → RUNNING applied",
            "3 RUNNING → SUCCEEDED applied",
            "4 SUCCEEDED → RUNNING after_terminal",
        ])
    }

    @Test func deliverTellsExactlyOneCallerToNotify() throws {
        let directory = try TempDirectory()
        let ledger = try Ledger(directory.path("ledger.sqlite"))
        let queuedAt = Timestamp.parse("2026-03-01T10:00:00Z")!
        try ledger.write(StatusEvent(task: "build-42", state: "queued", timestamp: queuedAt))

        let outcome = try ledger.deliver(task: "build-42", channel: "chat", cooldown: 10 * 60_000, now: queuedAt + 66_000)
        #expect(outcome == .deliver)
        let again = try ledger.deliver(task: "build-42", channel: "chat", now: queuedAt + 67_000)
        #expect(again == .suppressedDuplicate)
    }

    @Test func openingAMissingLedgerWithExistingModeThrowsMissing() throws {
        let directory = try TempDirectory()
        let path = directory.path("missing.sqlite")
        #expect(throws: LedgerError.missing(path: path)) { try Ledger(path, mode: .existing) }
        #expect(!Ledger.isPostgreSQL(path))
        #expect(Ledger.isPostgreSQL("postgresql://tasks@localhost/ledger"))
        #expect(Ledger.isPostgreSQL("host=db dbname=tasks"))
    }

    // MARK: ImportingAndReporting.md

    /// Four `workflow_job` deliveries and one other webhook: job 1 is queued, starts and
    /// succeeds; job 2 is first seen completed, which the profile's `initial` does not allow.
    static let workflowJobs = [
        #"{"zen":"Keep it logically awesome.","hook_id":1}"#,
        #"{"action":"queued","workflow_job":{"id":1,"name":"build","workflow_name":"CI","conclusion":null,"created_at":"2026-11-24T09:00:00Z"},"repository":{"full_name":"octo-org/shop"}}"#,
        #"{"action":"in_progress","workflow_job":{"id":1,"name":"build","workflow_name":"CI","conclusion":null,"created_at":"2026-11-24T09:00:00Z","started_at":"2026-11-24T09:00:10Z","runner_name":"runner-3"},"repository":{"full_name":"octo-org/shop"}}"#,
        #"{"action":"completed","workflow_job":{"id":1,"name":"build","workflow_name":"CI","conclusion":"success","created_at":"2026-11-24T09:00:00Z","started_at":"2026-11-24T09:00:10Z","completed_at":"2026-11-24T09:02:10Z","runner_name":"runner-3"},"repository":{"full_name":"octo-org/shop"}}"#,
        #"{"action":"completed","workflow_job":{"id":2,"name":"test","workflow_name":"CI","conclusion":"success","created_at":"2026-11-24T09:00:00Z","completed_at":"2026-11-24T09:03:00Z"},"repository":{"full_name":"octo-org/shop"}}"#,
    ].map { $0 + "\n" }.joined()

    @Test func importingWithAProfileAndReportingFailsOnTheIllegalTransition() throws {
        let directory = try TempDirectory()
        let log = try directory.write("workflow-jobs.jsonl", Self.workflowJobs)

        let profile = Profile.builtIn(named: "github-actions")!
        let rules = profile.rules.with(partial: .reject)
        let ledger = try Ledger(directory.path("ci.sqlite"), rules: rules)
        let summary = try ledger.importFile(log, decoder: try profile.decoder())
        #expect(summary.line.hasPrefix(
            "lines 5 · applied 3 · violations: illegal_transition 1 · rejects 0 · skipped 1 · "))
        #expect(summary.lines == 5)
        #expect(summary.verdicts[.illegalTransition] == 1)
        #expect(summary.rejects == 0)
        #expect(summary.skippedLines == 1)
        #expect(summary.resumedLines == 0)
        #expect(try ledger.snapshot(task: "1")?.state == "SUCCEEDED")

        let again = try ledger.importFile(log, decoder: try profile.decoder())
        #expect(again.resumedLines == 5)
        #expect(again.lines == 0)

        let now = try ledger.latestTimestamp() ?? 0
        #expect(now == Timestamp.parse("2026-11-24T09:03:00Z"))
        let report = try ledger.report(ReportOptions(now: now, formats: [.csv, .json]))
        let files = try report.write(to: directory.path("out"))
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent }
            == ["outcomes.csv", "violations.csv", "stale.csv", "summary.json"])
        #expect(report.outcomes.map(\.task) == ["1"])
        #expect(report.violations.map(\.kind) == [.illegalTransition])
        #expect(report.hasViolations(of: [.illegalTransition, .afterTerminal]))
        #expect(!report.hasViolations(of: [.afterTerminal]))
        #expect(report.hasViolations)

        let (written, paths) = try ledger.writeReport(ReportOptions(now: now, formats: [.csv, .json]), to: directory.path("big"))
        #expect(paths.map { URL(fileURLWithPath: $0).lastPathComponent } == ["outcomes.csv", "violations.csv", "stale.csv", "summary.json"])
        #expect(written.outcomes.isEmpty)
        #expect(written.successRate! == (1, 1))
        #expect(written.violations == report.violations)
        #expect(try String(contentsOfFile: paths[0], encoding: .utf8) == String(contentsOfFile: files[0], encoding: .utf8))

        // The profile as shipped accepts the job first seen completed, as a partial task.
        let accepting = try Ledger(directory.path("ci-partial.sqlite"), rules: profile.rules)
        #expect(try accepting.importFile(log, decoder: try profile.decoder()).line.hasPrefix(
            "lines 5 · applied 4 · violations: none · rejects 0 · skipped 1 · "))
        #expect(try accepting.snapshot(task: "2")?.partial == true)
        #expect(try accepting.snapshot(task: "1")?.partial == false)
    }

    @Test func anImportStoppedByShouldStopResumesAfterItsLastBatch() throws {
        let directory = try TempDirectory()
        let log = try directory.write("workflow-jobs.jsonl", Self.workflowJobs)
        let profile = Profile.builtIn(named: "github-actions")!
        let ledger = try Ledger(directory.path("ci.sqlite"), rules: profile.rules)

        var batches: [ImportProgress] = []
        do {
            _ = try ledger.importFile(
                log, decoder: try profile.decoder(), batchSize: 2,
                progress: { p in batches.append(p) },
                shouldStop: { !batches.isEmpty })
            Issue.record("the import should have stopped after its first batch")
        } catch let aborted as ImportAborted {
            #expect("\(aborted)" == "\(log): interrupted after line 2, all of it committed; re-run the same command to resume")
            #expect(aborted.summary.lines == 2)
        }
        #expect(batches.map(\.lines) == [2])

        let resumed = try ledger.importFile(log, decoder: try profile.decoder())
        #expect(resumed.resumedLines == 2)
        #expect(resumed.lines == 3)
        #expect(try ledger.eventCount(task: "1") == 3)
    }
}
