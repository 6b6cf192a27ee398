import Foundation
import TaskLedger
import Testing
import Yams

/// The CI examples in docs/ci/ (and, the same, in README "In CI") are YAML that parses, call
/// task-ledger only with options it accepts, and keep publishing the reports when --fail-on
/// fails the job.
@Suite("CI docs: the workflow files parse and use real options")
struct CIDocsTests {
    static let files = ["docs/ci/github-actions.yml", "docs/ci/gitlab-ci.yml"]

    @Test(arguments: files)
    func theFileParsesAndIsTheSameInTheReadme(_ file: String) throws {
        let text = try Self.read(file)
        #expect(try Yams.load(yaml: text) is [String: Any], "\(file) is not a YAML mapping")
        let readme = try Self.read("README.md")
        #expect(readme.contains("```yaml\n\(text)```\n"), "README \"In CI\" must show \(file) verbatim in a ```yaml block: copy the file into it")
    }

    @Test(arguments: files)
    func everyTaskLedgerCommandUsesOptionsTheCLIAccepts(_ file: String) throws {
        let yaml = try #require(try Yams.load(yaml: Self.read(file)))
        let invocations = Self.commandLines(in: yaml).flatMap(Self.invocations)
        #expect(invocations.contains { $0.subcommand == "import" }, "\(file) runs no task-ledger import")
        for invocation in invocations {
            let help = try CLI.run((invocation.subcommand.map { [$0] } ?? []) + ["--help"])
            try #require(help.status == 0, "task-ledger \(invocation.subcommand ?? "") --help: \(help.stderr)")
            let accepted = Set(help.stdout.matches(of: /--[a-z][a-z-]*/).map { String($0.output) })
            for option in invocation.options {
                #expect(accepted.contains(option), "\(file): task-ledger \(invocation.subcommand ?? "") has no \(option): fix the docs")
            }
            for format in invocation.formats {
                #expect(format == "all" || ReportOptions.Format(rawValue: format) != nil, "\(file): --format \(format) is not a format of task-ledger")
                #expect(help.stdout.contains(format), "\(file): task-ledger \(invocation.subcommand ?? "") --help does not name --format \(format)")
            }
        }
        #expect(FileManager.default.isExecutableFile(atPath: CLI.root.appendingPathComponent("scripts/build-static").path))
    }

    /// The reports are published whatever the import's exit code: every GitHub step after the
    /// import runs `if: always()`, GitLab keeps its artifacts and the ledger `when: always`.
    @Test func thePublishStepsRunWhenTheImportFails() throws {
        let github = try #require(try Yams.load(yaml: Self.read(Self.files[0])) as? [String: Any])
        let jobs = try #require(github["jobs"] as? [String: Any])
        let steps = try #require((jobs["audit"] as? [String: Any])?["steps"] as? [[String: Any]])
        let importStep = try #require(steps.firstIndex { ($0["run"] as? String)?.contains("task-ledger import") == true })
        for step in steps[(importStep + 1)...] {
            #expect(step["if"] as? String == "always()", "github-actions.yml: step \(step["name"] ?? "?") must run if: always()")
        }
        #expect(steps.contains { ($0["with"] as? [String: Any])?["report_paths"] as? String == "reports/junit.xml" })
        #expect(steps.contains { ($0["with"] as? [String: Any])?["path"] as? String == "reports/report.html" })

        let gitlab = try #require(try Yams.load(yaml: Self.read(Self.files[1])) as? [String: Any])
        let audit = try #require(gitlab["nightly-audit"] as? [String: Any])
        let artifacts = try #require(audit["artifacts"] as? [String: Any])
        #expect(artifacts["when"] as? String == "always")
        #expect((artifacts["reports"] as? [String: Any])?["junit"] as? String == "reports/junit.xml")
        #expect((audit["cache"] as? [String: Any])?["when"] as? String == "always", "the ledger must be kept when --fail-on fails the job")
    }

    @Test func invocationsAreTaskLedgerCommandWordsWithTheirOptionsAndFormats() {
        let found = Self.invocations(in: "git -C task-ledger fetch --depth 1 && task-ledger import --db x --format=csv,all --fail-on any f.gz")
        #expect(found.count == 1)
        #expect(found.first?.subcommand == "import")
        #expect(found.first?.options == ["--db", "--format", "--fail-on"])
        #expect(found.first?.formats == ["csv", "all"])
        #expect(Self.invocations(in: "sudo task-ledger --version").first?.options == ["--version"])
    }

    // MARK: - Reading command lines out of the YAML

    struct Invocation {
        var subcommand: String?
        var options: [String]
        var formats: [String]
    }

    static func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: CLI.root.appendingPathComponent(path)), as: UTF8.self)
    }

    /// Every shell line of GitHub's `run:` and GitLab's `script:`, continuation lines joined.
    static func commandLines(in node: Any) -> [String] {
        var scripts: [String] = []
        func visit(_ node: Any, key: String?) {
            if let map = node as? [String: Any] {
                for (key, value) in map { visit(value, key: key) }
            } else if let list = node as? [Any] {
                for item in list { visit(item, key: key) }
            } else if let text = node as? String, ["run", "script", "before_script", "after_script"].contains(key) {
                scripts.append(text)
            }
        }
        visit(node, key: nil)
        return scripts.flatMap { $0.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n").map(String.init) }
    }

    /// Each `task-ledger [SUBCOMMAND] --option…` in one shell line: task-ledger as the command
    /// word (first, or after a separator or sudo), not a directory named task-ledger
    /// (`git -C task-ledger fetch --depth 1`).
    static func invocations(in line: String) -> [Invocation] {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        let separators: Set<String> = ["&&", "||", ";", "|", "(", ")", "then", "do", "sudo"]
        var found: [Invocation] = []
        for (index, word) in words.enumerated() where word == "task-ledger" && (index == 0 || separators.contains(words[index - 1])) {
            let rest = words[(index + 1)...].prefix { !separators.contains($0) }
            let subcommand = rest.first.flatMap { $0.hasPrefix("-") ? nil : $0 }
            var invocation = Invocation(subcommand: subcommand, options: [], formats: [])
            for (offset, word) in rest.enumerated() where word.hasPrefix("--") {
                let name = String(word.prefix { $0 != "=" })
                invocation.options.append(name)
                if name == "--format", let value = word.contains("=") ? String(word.drop { $0 != "=" }.dropFirst()) : rest.dropFirst(offset + 1).first {
                    invocation.formats += value.split(separator: ",").map(String.init)
                }
            }
            found.append(invocation)
        }
        return found
    }
}
