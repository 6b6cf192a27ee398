import Foundation
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerReport
@testable import TaskLedgerSQLite

/// `report.html` as people get it: parsed by xmllint and Python's html.parser and opened in
/// headless Chromium by Tests/report_browser.py, which counts the charts' bars, bins, edges
/// and rows against numbers it derives from the same report's CSV files, summary.json and
/// report.md (needs Debian's `chromium` and `libxml2-utils`; see .ci/run).
@Suite struct ReportTestsHTML {
    static let script = packageRoot.appendingPathComponent("Tests/report_browser.py").path

    /// Runs the browser driver on a report directory; its exit status and what it printed.
    static func browse(_ directory: String, _ json: String = "{}") throws -> (status: Int32, problems: String) {
        let run = try runTool(["python3", script, directory, json])
        return (run.status, run.stderr)
    }

    /// The fixtures imported as the README's first command imports them, reported at `latest`.
    static func fixturesReport() throws -> (ledger: Ledger, options: ReportOptions) {
        let ledger = try fixturesLedger()
        return (ledger, ReportOptions(now: try #require(try ledger.latestTimestamp())))
    }

    @Test func fixturesPageInChromiumFetchesNothingLogsNothingAndDrawsEveryChart() throws {
        let (ledger, options) = try Self.fixturesReport()
        let directory = try tempDirectory()
        try ledger.report(options).write(to: directory)
        // Beyond the derived counts, the fixtures' own numbers from their summary.json:
        // 10 terminal tasks of 4 states measured → 4 histograms; 13 violations, 2 without ts.
        let result = try Self.browse(directory, """
            {"selectors": {"svg.histogram": 4, "main > section": 7},
             "sums": {"rect.bar.outcome": 10, "rect.bar.violation": 13, "p.untimed": 2}}
            """)
        #expect(result.status == 0, "\(result.problems)")
    }

    /// Ids that would break out of an element, an attribute, the SVG or the parser.
    static let hostileHTMLIDs = hostileIDs + [
        "</svg><script>window.__injected=1</script>", "<img src=x onerror=\"window.__injected=1\">",
        "\"><b>quote-break</b>", "'><i>apostrophe</i>", "</td></tr></table><h1>table</h1>", "<!-- comment",
        "]]><![CDATA[x", "ctl\u{1}\u{8}\u{1B}[31m\u{7F}", "c1\u{85}\u{9F}", "nonchar" + scalars(0xFFFE, 0xFFFF, 0xFDD0),
        "bidi\u{202E}txt", String(repeating: "long-", count: 2000),
    ]

    /// Noncharacters, which a Swift literal cannot hold.
    static func scalars(_ values: UInt32...) -> String {
        String(String.UnicodeScalarView(values.map { Unicode.Scalar($0)! }))
    }

    @Test func hostileIdsStayTextInTheParsersAndInChromium() throws {
        let ledger = try makeLedger()
        for id in Self.hostileHTMLIDs {
            try ledger.write(StatusEvent(task: id, state: "RUNNING", timestamp: t0))
            try ledger.write(StatusEvent(task: id, state: "QUEUED", timestamp: t0))
        }
        let directory = try tempDirectory()
        try ledger.report(ReportOptions(now: t0 + 3_600_000)).write(to: directory)
        // The driver checks every stale task's id as a table cell, as the README says it is
        // shown; here also that the page holds only its own elements.
        let result = try Self.browse(directory, """
            {"selectors": {"table.stale tbody tr": 32, "main > section": 7, "h1": 1},
             "forbidden": ["script", "img", "b", "i", "[onerror]", "td h1", "iframe", "object"]}
            """)
        #expect(result.status == 0, "\(result.problems)")
    }

    /// The driver's own checks fail where they should: a page that fetches an image, logs an
    /// error and runs a script, with the page's Content-Security-Policy taken out (it would
    /// block both before the driver saw them).
    @Test func browserDriverCatchesARequestAConsoleErrorAndAScript() throws {
        let (ledger, options) = try Self.fixturesReport()
        let directory = try tempDirectory()
        try ledger.report(options).write(to: directory)
        let path = directory + "/report.html"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let policy = try #require(original.range(of: "<meta http-equiv=\"Content-Security-Policy\"[^>]*>", options: .regularExpression))
        let page = original.replacingCharacters(in: policy, with: "").replacingOccurrences(
            of: "</main>",
            with: "<img src=\"http://127.0.0.1:9/x.png\"/><script>console.error('boom')</script></main>")
        try Data(page.utf8).write(to: URL(fileURLWithPath: path))
        let result = try Self.browse(directory)
        #expect(result.status == 1)
        for problem in ["unexpected element <img/>", "unexpected element <script>", "with JavaScript: requests",
                        "without JavaScript: requests", "with JavaScript: console.error", "with JavaScript: scripts",
                        "without JavaScript: scripts"] {
            #expect(result.problems.contains(problem), "\(problem) not caught:\n\(result.problems)")
        }
    }

    @Test func sameLedgerAndNowGiveByteIdenticalPages() throws {
        let ledger = try hostileLedger()
        let options = ReportOptions(now: t0 + 3_600_000, formats: [.html])
        let (first, second) = (try tempDirectory(), try tempDirectory())
        #expect(try ledger.report(options).write(to: first).map { URL(fileURLWithPath: $0).lastPathComponent } == ["report.html"])
        try ledger.report(options).write(to: second)
        let a = try Data(contentsOf: URL(fileURLWithPath: first + "/report.html"))
        let b = try Data(contentsOf: URL(fileURLWithPath: second + "/report.html"))
        #expect(a == b)
        #expect(!a.isEmpty)
    }

    @Test(arguments: [
        ("<>&\"'", "&lt;&gt;&amp;&quot;&#39;"), ("a\nb\r\t", "a␊b␍␉"), ("\u{0}\u{1F}\u{7F}", "␀␟␡"),
        ("\u{85}", "⟨U+0085⟩"), (scalars(0xFFFE, 0xFFFF, 0x1FFFE), "⟨U+FFFE⟩⟨U+FFFF⟩⟨U+1FFFE⟩"),
        (scalars(0xFDD0), "⟨U+FDD0⟩"), ("é 🚀 \u{FFFD}", "é 🚀 \u{FFFD}"),
    ] as [(String, String)])
    func escapingShowsMarkupAsTextAndInvisibleCharactersVisibly(data: String, shown: String) {
        var page = HTMLText(capacity: 0)
        page.escaped(data)
        #expect(page.text == shown)
    }

    /// README: under 1 ms, then 1 2 5 10 20 50 100 200 500 ms, 1 2 5 10 30 s, 1 2 5 10 30 m,
    /// 1 2 6 12 h, 1 2 7 d, then doubling.
    @Test(arguments: [
        (0, 0), (1, 1), (4, 2), (999, 9), (1000, 10), (29_999, 13), (30_000, 14), (180_000, 16),
        (4_110_000, 20), (7 * 86_400_000, 26), (14 * 86_400_000, 27), (20 * 86_400_000, 27),
    ] as [(Int64, Int)])
    func durationBinsFollowTheDocumentedEdges(duration: Int64, bin: Int) {
        #expect(HTMLDurationHistograms.bin(duration) == bin)
    }

    @Test(arguments: [
        (t0, t0 + 47_999, 1000, 48), (t0, t0 + 48_000, 5000, 10), (t0 + 59_000, t0 + 61_000, 1000, 3),
        (-1500, 500, 1000, 3),
    ] as [(Int64, Int64, Int64, Int)])
    func timelineTakesTheFirstWidthThatFitsIn48Bins(earliest: Int64, latest: Int64, width: Int64, count: Int) {
        let bins = HTMLViolationTimeline.bins(earliest: earliest, latest: latest)
        #expect(bins.width == width && bins.count == count)
        #expect(bins.start <= earliest && bins.start % width == 0)
    }
}
