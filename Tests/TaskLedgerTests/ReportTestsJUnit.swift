import Foundation
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerReport

/// `junit.xml` (`--format junit`): valid against the Ant JUnit schema CI systems read
/// (../shared/schemas/JUnit.xsd, checked by xmllint), and read back by a real consumer
/// (junitparser, Tests/junit_consumer.py) as the violations violations.csv lists.
@Suite struct ReportTestsJUnit {
    static let schema = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas/JUnit.xsd").path
    /// SPEC §4's violation kinds, in its order.
    static let kinds = [
        "malformed", "missing_field", "bad_field", "bad_timestamp", "duplicate", "unknown_state", "after_terminal",
        "illegal_transition", "out_of_order",
    ]

    struct Consumed: Decodable {
        struct Suite: Decodable {
            var name: String
            var tests: Int
            var failures: Int
            var errors: Int
            var cases: [Case]
        }
        struct Case: Decodable {
            var name: String
            var classname: String
            var failure: Failure?
        }
        struct Failure: Decodable {
            var type: String
            var message: String
            var text: String
        }
        struct Violation: Decodable {
            var kind: String
            var task: String
            var file: String
            var line: String
            var message: String
        }
        var suites: [Suite]
        var violations: [Violation]
    }

    /// Writes junit.xml and violations.csv of `report`, validates the XML, and reads both back.
    static func consume(_ report: Report) throws -> Consumed {
        let directory = try TempDirectory.untilExit().url.path
        var options = report.options
        options.formats = [.junit, .csv]
        var written = report
        written.options = options
        try written.write(to: directory)
        let lint = try runTool(["xmllint", "--noout", "--schema", schema, directory + "/junit.xml"])
        #expect(lint.status == 0, "xmllint: \(lint.stderr)")
        let script = packageRoot.appendingPathComponent("Tests/junit_consumer.py").path
        let read = try runTool(["python3", script, directory])
        try #require(read.status == 0, "junit_consumer.py (pip install junitparser): \(read.stderr)")
        return try JSONDecoder().decode(Consumed.self, from: Data(read.stdout.utf8))
    }

    @Test(arguments: [[], ["illegal_transition", "after_terminal"], ["out_of_order"]])
    func fixturesGiveASuitePerChosenKindAndAFailurePerViolation(failOn: [String]) throws {
        let ledger = try fixturesLedger()
        let now = try #require(Timestamp.parse("2026-11-25T00:00:00Z"))
        let report = try ledger.report(ReportOptions(now: now, failOn: Set(failOn.compactMap(Verdict.init(rawValue:)))))
        let consumed = try Self.consume(report)
        let chosen = failOn.isEmpty ? Self.kinds : Self.kinds.filter(failOn.contains)
        #expect(consumed.suites.map(\.name) == chosen)
        for suite in consumed.suites {
            let expected = consumed.violations.filter { $0.kind == suite.name }
            #expect(suite.failures == expected.count, "\(suite.name)")
            #expect(suite.errors == 0)
            #expect(suite.tests == max(1, expected.count))
            let failed = suite.cases.compactMap(\.failure)
            #expect(failed.map(\.message) == expected.map(\.message))
            #expect(failed.allSatisfy { $0.type == suite.name })
            #expect(suite.cases.filter { $0.failure != nil }.map(\.name)
                == expected.map { "task \($0.task) at \($0.file):\($0.line)" }.map { $0.replacingOccurrences(of: "task  at", with: "no task at") })
            if expected.isEmpty { #expect(suite.cases.map(\.name) == ["no \(suite.name)"]) }
        }
        #expect(consumed.suites.reduce(0) { $0 + $1.failures } == consumed.violations.count { chosen.contains($0.kind) })
    }

    @Test func aRejectedLineIsTheFailureTextAndARefusedEventShowsItsFields() throws {
        let report = try fixturesLedger().report(ReportOptions(now: 0))
        let consumed = try Self.consume(report)
        let malformed = try #require(consumed.suites.first { $0.name == "malformed" }?.cases.first?.failure)
        let raw = try String(contentsOfFile: packageRoot.appendingPathComponent("fixtures/events.jsonl").path, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)[42]
        #expect(malformed.text == String(raw))
        let illegal = try #require(consumed.suites.first { $0.name == "illegal_transition" }?.cases.first?.failure)
        #expect(illegal.text.hasPrefix("task: job-6\nfrom: RECEIVED\nto: SUCCEEDED\nts: 2026-11-24T"))
    }

    /// Task ids and lines that would break XML or CDATA, and characters XML 1.0 cannot hold.
    static let hostile = hostileIDs + [
        "]]>", "<![CDATA[x]]>", "a\u{1}b", "bell\u{7}", "non\u{FFFE}char", "\u{FFFF}", "'apos'", "&lt;",
        "long-" + String(repeating: "x", count: 5_000), " ", "\u{85}next",
    ]

    @Test func hostileTaskIdsAndLinesStayValidXMLAndReadBackAsTheirViolations() throws {
        let directory = try TempDirectory()
        var lines: [String] = []
        for id in Self.hostile {
            let task = String(decoding: try JSONSerialization.data(withJSONObject: [id], options: .fragmentsAllowed), as: UTF8.self)
            lines.append("{\"task\":\(task.dropFirst().dropLast()),\"state\":\"RUNNING\",\"ts\":\"2026-11-24T10:00:00Z\"}")
        }
        lines += ["{\"task\": \"]]><x/>&\u{1}\u{7}", "not json ]]> \u{FFFE} <", "{\"task\":\"t\",\"state\":\"QUEUED\",\"ts\":\"\u{1}\"}"]
        let path = try directory.write("hostile.jsonl", lines.joined(separator: "\n") + "\n")
        let ledger = try Ledger(directory.path("hostile.sqlite"))
        _ = try ledger.importFile(path)
        let consumed = try Self.consume(try ledger.report(ReportOptions(now: 0)))
        #expect(consumed.suites.reduce(0) { $0 + $1.failures } == Self.hostile.count + 3)
        #expect(consumed.suites.reduce(0) { $0 + $1.failures } == consumed.violations.count)
        let illegal = try #require(consumed.suites.first { $0.name == "illegal_transition" })
        let names = Set(illegal.cases.map(\.name))
        // Ids XML can hold read back exactly; the others with ⟨U+XXXX⟩ in place of what it cannot.
        for (n, id) in Self.hostile.enumerated() {
            let shown = id.unicodeScalars.map { scalar -> String in
                let v = scalar.value
                return (v < 0x20 && v != 0x9 && v != 0xA && v != 0xD) || v == 0xFFFE || v == 0xFFFF
                    ? "⟨U+" + String(format: "%04X", v) + "⟩" : String(scalar)
            }.joined()
            #expect(names.contains("task \(shown) at \(path):\(n + 1)"), "\(id.debugDescription)")
        }
        let malformed = try #require(consumed.suites.first { $0.name == "malformed" })
        #expect(malformed.cases.compactMap(\.failure?.text).contains("not json ]]> ⟨U+FFFE⟩ <"))
    }

    @Test func theSameLedgerAndNowGiveTheSameBytesAndACleanLedgerPassesEveryCheck() throws {
        let ledger = try fixturesLedger()
        let options = ReportOptions(now: 1_764_000_000_000, failOn: [.illegalTransition])
        #expect(try ledger.report(options).junitXML == ledger.report(options).junitXML)
        let clean = try Ledger(try TempDirectory.untilExit().path("clean.sqlite"))
        try clean.write(StatusEvent(task: "t", state: "QUEUED", timestamp: 0))
        let consumed = try Self.consume(try clean.report(ReportOptions(now: 0)))
        #expect(consumed.suites.map(\.name) == Self.kinds)
        #expect(consumed.suites.allSatisfy { $0.failures == 0 && $0.tests == 1 && $0.cases.map(\.name) == ["no \($0.name)"] })
    }
}
