import Foundation
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerReport

/// GitHub annotations: the printed workflow commands, parsed back by GitHub's rules, give the
/// violations' own values, whatever the ids, file names and messages hold.
@Suite struct ReportTestsAnnotations {
    struct Command: Equatable {
        var name: String
        var properties: [String: String]
        var message: String
    }

    /// GitHub's runner: `::name k=v,k=v::message`; properties split on `,`, each on its first
    /// `=`; then `%0D` `%0A` `%3A` `%2C` and last `%25` unescaped (the toolkit's rules, read
    /// the other way).
    static func parse(_ line: String) -> Command? {
        guard line.hasPrefix("::"), let end = line.range(of: "::", range: line.index(line.startIndex, offsetBy: 2)..<line.endIndex)
        else { return nil }
        let head = line[line.index(line.startIndex, offsetBy: 2)..<end.lowerBound]
        let name = head.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        var properties: [String: String] = [:]
        if let space = head.firstIndex(of: " ") {
            for pair in head[head.index(after: space)...].split(separator: ",") {
                guard let eq = pair.firstIndex(of: "=") else { return nil }
                properties[String(pair[..<eq])] = unescape(String(pair[pair.index(after: eq)...]), property: true)
            }
        }
        return Command(name: name, properties: properties, message: unescape(String(line[end.upperBound...]), property: false))
    }

    static func unescape(_ value: String, property: Bool) -> String {
        var out = value.replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%0A", with: "\n")
        if property { out = out.replacingOccurrences(of: "%3A", with: ":").replacingOccurrences(of: "%2C", with: ",") }
        return out.replacingOccurrences(of: "%25", with: "%")
    }

    static let hostile = ["a,b", "c:d", "50%", "%0A", "new\nline", "cr\r\nlf", "::error::x", "k=v,title=no", "🚀 é"]

    /// A file whose name holds `,` `:` `%` and a newline, with one illegal first event per
    /// hostile id and a malformed line; `illegal_transition` fails the job.
    static func report(ids: [String] = hostile, extraWarnings: Int = 0) throws -> Report {
        let directory = try TempDirectory.untilExit()
        var lines = try ids.map { id in
            let task = String(decoding: try JSONSerialization.data(withJSONObject: [id]), as: UTF8.self)
            return "{\"task\":\(task.dropFirst().dropLast()),\"state\":\"RUNNING\",\"ts\":\"2026-11-24T10:00:00Z\"}"
        }
        lines.append("not json, 100% : broken")
        lines += (0..<extraWarnings).map { _ in "{\"task\":\"w\"" }
        let path = try directory.write("we,ird:50%\nname.jsonl", lines.joined(separator: "\n") + "\n")
        let ledger = try Ledger(directory.path("ledger.sqlite"))
        _ = try ledger.importFile(path)
        return try ledger.report(ReportOptions(now: 0, failOn: [.illegalTransition]))
    }

    @Test func everyCommandIsOneLineAndParsesBackToTheViolationsValues() throws {
        let report = try Self.report()
        let lines = report.githubAnnotations
        #expect(lines.count == report.violations.count)
        #expect(lines.allSatisfy { !$0.contains("\n") && !$0.contains("\r") })
        for (line, violation) in zip(lines, report.violations) {
            let command = try #require(Self.parse(line), "\(line)")
            #expect(command.name == (violation.kind == .illegalTransition ? "error" : "warning"))
            #expect(command.properties["file"] == violation.file)
            #expect(command.properties["line"] == violation.line.map(String.init))
            #expect(command.properties["title"] == violation.kind.rawValue + (violation.task.map { " · " + $0 } ?? ""))
            #expect(command.properties.count == 3)
            #expect(command.message == violation.message)
        }
        #expect(Set(report.violations.compactMap(\.task)) == Set(Self.hostile))
    }

    @Test func atMostTenOfEachAreShownAndTheRestCounted() throws {
        let report = try Self.report(ids: (1...14).map { "t\($0)" }, extraWarnings: 12)
        let commands = report.githubAnnotations.compactMap(Self.parse)
        #expect(commands.count { $0.name == "error" } == 10)
        #expect(commands.count { $0.name == "warning" } == 10)
        #expect(report.githubAnnotations.last
            == "task-ledger: 4 error and 3 warning annotations left out (GitHub shows 10 of each per step); every violation is in violations.csv")
    }
}
