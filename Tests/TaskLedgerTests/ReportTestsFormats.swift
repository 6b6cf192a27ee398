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

/// Cell-level rules: quoting, excel-safe, numbers, percentiles, Markdown escaping, mermaid.
@Suite struct ReportTestsFormats {
    @Test(arguments: [
        ("plain", "plain"), ("a,b", "\"a,b\""), ("q\"uote\"", "\"q\"\"uote\"\"\""),
        ("new\nline", "\"new\nline\""), ("cr\rx", "\"cr\rx\""), ("pi|pe", "pi|pe"), ("", ""),
        ("=1+1", "=1+1"), ("🚀 é", "🚀 é"),
    ])
    func fieldIsQuotedIffItHoldsCommaQuoteCROrLF(field: String, expected: String) {
        var csv = CSVText(header: ["h"], excelSafe: false)
        csv.appendRow([field, "x"])
        #expect(csv.text == "h\n\(expected),x\n")
    }

    @Test(arguments: [
        ("=1+1", "'=1+1"), ("+plus", "'+plus"), ("-minus", "'-minus"), ("@at", "'@at"),
        ("\ttab", "'\ttab"), ("\rcr", "\"'\rcr\""), ("=a,b", "\"'=a,b\""), ("a=b", "a=b"), ("", ""),
    ])
    func excelSafePrefixesFormulaCells(field: String, expected: String) {
        var on = CSVText(header: ["h"], excelSafe: true)
        on.appendRow([field])
        #expect(on.text == "h\n\(expected)\n")
        var off = CSVText(header: ["h"], excelSafe: false)
        off.appendRow([field])
        #expect(!off.text.contains("'"))
    }

    @Test func excelSafeAppliesToEveryReportFile() throws {
        let ledger = try hostileLedger()
        let safe = try ledger.report(ReportOptions(now: t0 + 3_600_000, excelSafe: true))
        let plain = try ledger.report(ReportOptions(now: t0 + 3_600_000))
        for file in Report.CSVFile.allCases {
            #expect(safe.csv(file).contains("'=1+1"))
            #expect(!safe.csv(file).contains(",=1+1") && !safe.csv(file).contains("\n=1+1"))
            #expect(!plain.csv(file).contains("'=1+1"))
        }
    }

    @Test(arguments: [
        (Int64(12_345), "12.345"), (0, "0.000"), (5, "0.005"), (1000, "1.000"), (999, "0.999"),
        (86_400_000, "86400.000"), (-5, "-0.005"), (Int64(253_402_300_799_999), "253402300799.999"),
    ])
    func durationsAreSecondsWithExactlyThreeDecimals(ms: Int64, text: String) {
        #expect(ReportNumber.seconds(ms) == text)
    }

    @Test(arguments: [(1, 2, "0.5000"), (2, 3, "0.6667"), (1, 3, "0.3333"), (3, 3, "1.0000"), (0, 7, "0.0000"), (1, 8, "0.1250")])
    func ratesHaveFourDecimalsRoundedHalfUp(numerator: Int, denominator: Int, text: String) {
        #expect(ReportNumber.ratio(numerator, denominator) == text)
    }

    @Test func percentilesUseTheNearestRank() throws {
        let hundred = try #require(Percentiles((1...100).map { Int64($0) }.shuffled()))
        #expect((hundred.p50, hundred.p90, hundred.p99) == (50, 90, 99))
        let three = try #require(Percentiles([30, 10, 20]))
        #expect((three.p50, three.p90, three.p99) == (20, 30, 30))
        let one = try #require(Percentiles([7]))
        #expect((one.p50, one.p90, one.p99) == (7, 7, 7))
        let ten = try #require(Percentiles((1...10).map { Int64($0) }))
        #expect((ten.p50, ten.p90, ten.p99) == (5, 9, 10))
        #expect(Percentiles([]) == nil)
    }

    @Test func durationPercentilesArePerTerminalState() throws {
        let ledger = try makeLedger()
        for i in 1...10 {
            try ledger.write(StatusEvent(task: "s\(i)", state: "RECEIVED", timestamp: t0))
            try ledger.write(StatusEvent(task: "s\(i)", state: "FAILED", timestamp: t0 + Int64(i) * 1000))
        }
        let report = try ledger.report(ReportOptions(now: t0))
        #expect(report.summaryJSON.contains(#""FAILED": {"count": 10, "p50": 5.000, "p90": 9.000, "p99": 10.000}"#))
        #expect(report.summaryJSON.contains(#""success_rate": 0.0000"#))
    }

    @Test func noTerminalTaskMeansNullSuccessRate() throws {
        let ledger = try makeLedger()
        let report = try ledger.report(ReportOptions(now: t0))
        #expect(report.summaryJSON.contains("\"success_rate\": null,"))
        #expect(report.csv(.outcomes) == "task,state,first_ts,terminal_ts,duration_s,events,actor,source,stage,partial\n")
    }

    @Test(arguments: [
        ("pi|pe", #"pi\|pe"#), ("<script>", "&lt;script&gt;"), ("a&b", "a&amp;b"), ("new\nline", "new line"),
        ("*s* _u_ `t` [l](x)", #"\*s\* \_u\_ \`t\` \[l\]\(x\)"#), (#"back\slash"#, #"back\\slash"#),
        ("🚀 é", "🚀 é"), ("$x$", #"\$x\$"#),
    ])
    func markdownCellsEscapeMarkup(text: String, escaped: String) {
        #expect(MarkdownText.cell(text) == escaped)
    }

    @Test func mermaidDiagramUsesSafeIdsAndMarksRefusedTransitions() throws {
        let report = try smallLedger().report(ReportOptions(now: t0))
        let mermaid = try #require(report.markdown.components(separatedBy: "```mermaid\n").last?
            .components(separatedBy: "```").first)
        #expect(mermaid.hasPrefix("stateDiagram-v2\n"))
        // b, c, cc, d start QUEUED (b after a refused RUNNING); a, e start RECEIVED.
        #expect(mermaid.contains("    [*] --> s0: 4\n    [*] --> s1: 2\n    [*] --> s2: ❌ 1\n"))
        #expect(mermaid.contains("    state \"FAILED\" as s4\n"))
        #expect(mermaid.contains("--> unknown: ❌ 1\n"))
        #expect(mermaid.contains("state \"SUCCEEDED\" as "))
        let shapes = [
            #"^stateDiagram-v2$"#, #"^    state "[A-Za-z0-9_. -]+" as (s[0-9]+|unknown)$"#,
            #"^    (\[\*\]|s[0-9]+) --> (s[0-9]+|unknown): (❌ )?[0-9]+$"#, #"^    s[0-9]+ --> \[\*\]$"#,
        ]
        for line in mermaid.split(separator: "\n") {
            #expect(shapes.contains { line.wholeMatch(of: try! Regex($0)) != nil }, "unexpected line: \(line)")
        }
    }
}
