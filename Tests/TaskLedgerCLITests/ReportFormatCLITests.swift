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
}
