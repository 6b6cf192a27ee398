import Foundation
import Testing
import TaskLedgerTestSupport

/// `--format`: which report files the CLI writes.
@Suite struct ReportFormatCLITests {
    static func writtenFiles(_ formatArguments: [String]) throws -> [String] {
        let dir = try TempDirectory()
        let db = dir.path("ledger.sqlite")
        let imported = try CLI.run(["import", "--db", db, "--quiet", "fixtures/events.jsonl"], directory: CLI.root)
        try #require(imported.status == 0, "\(imported.stderr)")
        let out = dir.path("out")
        let report = try CLI.run(["report", "--db", db, "--out", out, "--now", "latest"] + formatArguments)
        try #require(report.status == 0, "\(report.stderr)")
        return try FileManager.default.contentsOfDirectory(atPath: out).sorted()
    }

    @Test func withoutFormatTheCLIWritesCSVMarkdownAndJSONButNoHTML() throws {
        #expect(try Self.writtenFiles([])
            == ["outcomes.csv", "report.md", "stale.csv", "summary.json", "violations.csv"])
    }

    @Test func formatHTMLWritesReportHTMLAlone() throws {
        #expect(try Self.writtenFiles(["--format", "html"]) == ["report.html"])
    }

    @Test func formatAllWritesEveryFileAndJUnitAlone() throws {
        #expect(try Self.writtenFiles(["--format", "all"])
            == ["junit.xml", "outcomes.csv", "report.html", "report.md", "stale.csv", "summary.json", "violations.csv"])
        #expect(try Self.writtenFiles(["--format", "junit"]) == ["junit.xml"])
    }

    /// Annotations are printed on standard output when GitHub Actions runs the command (or when
    /// asked), and not otherwise.
    @Test(arguments: [
        ([String: String](), [String](), false), (["GITHUB_ACTIONS": "true"], [], true),
        ([:], ["--annotations", "github"], true), (["GITHUB_ACTIONS": "true"], ["--annotations", "none"], false),
    ])
    func githubAnnotationsOnlyUnderGitHubActionsOrWhenAsked(environment: [String: String], flags: [String], shown: Bool) throws {
        let dir = try TempDirectory()
        let db = dir.path("ledger.sqlite")
        let run = try CLI.run(
            ["import", "--db", db, "--quiet", "--now", "latest", "--report-dir", dir.path("out"),
             "--fail-on", "illegal_transition", "fixtures/events.jsonl"] + flags,
            environment: environment.merging(["GITHUB_STEP_SUMMARY": ""]) { $1 }, directory: CLI.root)
        #expect(run.status == 1, "\(run.stderr)")
        let commands = run.stdout.split(separator: "\n").filter { $0.hasPrefix("::") }
        if shown {
            #expect(commands.contains("::error file=fixtures/events.jsonl,line=23,title=illegal_transition · job-6::RECEIVED → SUCCEEDED is not allowed"))
            #expect(commands.contains("::warning file=fixtures/events.jsonl,line=39,title=unknown_state · job-10::state 'EXPLODED' is not in the rules"))
            #expect(commands.count { $0.hasPrefix("::error ") } == 2 && commands.count { $0.hasPrefix("::warning ") } == 10)
            #expect(!run.stdout.contains("left out"))  // 12 violations: 2 errors, 10 warnings, all shown
        } else {
            #expect(commands.isEmpty, "\(run.stdout)")
        }
    }
}
