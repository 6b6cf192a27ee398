import Foundation
import Testing

@Suite("--help reads well at 80 columns")
struct HelpCLITests {
    static let commands: [[String]] = [
        [], ["init"], ["import"], ["write"], ["status"], ["history"], ["stale"], ["deliver"], ["report"],
        ["verify"], ["rules"], ["profiles"], ["profile"], ["profile", "show"], ["sniff"], ["generate"], ["migrate"],
    ]

    /// The lines above `USAGE:` (the overview and the discussion) of `command --help` at 80 columns.
    func overviewLines(_ command: [String]) throws -> [Substring] {
        let result = try CLI.run(command + ["--help"], environment: ["COLUMNS": "80"])
        try #require(result.status == 0, "\(result.stderr)")
        let top = try #require(result.stdout.components(separatedBy: "\nUSAGE:").first)
        return top.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// ArgumentParser wraps each line of a discussion itself: a hard line break in the source
    /// paragraph shows as a short line in the middle of the paragraph.
    @Test func importHelpKeepsTheDiscussionsSentencesOnWholeLines() throws {
        let lines = try overviewLines(["import"])
        #expect(lines.contains { $0.contains("adds only its new lines") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("SIGINT/SIGTERM stop at a batch boundary") })
    }

    /// A paragraph line ends only where the next word would not fit in 80 columns, and an
    /// example (indented) never spills over to column 0.
    @Test(arguments: commands)
    func paragraphsBreakOnlyWhereTheLineIsFull(_ command: [String]) throws {
        let lines = try overviewLines(command)
        for (line, next) in zip(lines, lines.dropFirst()) where !line.isEmpty && !next.isEmpty {
            if line.hasPrefix(" ") {
                #expect(next.hasPrefix(" "), "an example line is wrapped to column 0: '\(next)'")
            } else if !next.hasPrefix(" ") {
                let word = next.prefix { $0 != " " }
                #expect(line.count + 1 + word.count >= 80, "broken before the line is full: '\(line)' / '\(next)'")
            }
        }
        #expect(lines.allSatisfy { $0.count <= 80 })
    }
}
