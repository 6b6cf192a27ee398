import ArgumentParser
import Foundation
import TaskLedger
import TaskLedgerInput

struct SniffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sniff",
        abstract: "Describe an unknown JSONL log and propose a profile for it.",
        discussion: """
            Reads the first lines of each file (plain or gzip, or -) and prints the keys with their types and fill rates, the keys that look like task, state and ts, the state values, and the transitions observed per task. With --write-profile, writes a starting profile whose transitions are exactly the observed ones.

            Example:
              task-ledger sniff --write-profile mine.yaml jobs.jsonl
              task-ledger import --db ledger.sqlite --profile mine.yaml \\
                  --report-dir out jobs.jsonl
            """)

    @Option(name: .customLong("lines"), help: ArgumentHelp("Lines to read from each file.", valueName: "n"))
    var sampleLines = 10_000

    @Option(name: .customLong("write-profile"), help: ArgumentHelp("Write the proposed profile to this file.", valueName: "file"))
    var profileFile: String?

    @Option(help: ArgumentHelp("The proposed profile's name.", valueName: "name"))
    var name = "sniffed"

    @Option(name: .customLong("keys"), help: ArgumentHelp("Keys to list, best filled first.", valueName: "n"))
    var keyLimit = 40

    @Argument(help: ArgumentHelp("JSONL files (.gz or gzip content is decompressed); - for standard input.", valueName: "file"))
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file to sniff, or - for standard input") }
        guard sampleLines > 0 else { throw ValidationError("--lines must be positive") }
    }

    func run() throws {
        var sniffer = LogSniffer()
        for file in files {
            let source = try LineSource(path: file)
            sniffer.startFile(file)
            var read = 0
            while read < sampleLines, let line = try source.next() {
                read += 1
                if !line.isTooLong { sniffer.add(line.bytes) }
            }
        }
        let summary = "proposed by task-ledger sniff from \(files.joined(separator: ", "))"
        let report = sniffer.report(name: name, summary: summary)
        print(describe(report), terminator: "")
        guard let profileFile else { return }
        guard let profile = report.profile else {
            throw CLIError("no task, state and ts keys found: no profile written (see the candidates above)")
        }
        do {
            try profile.yaml.write(toFile: profileFile, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("\(profileFile): cannot write the profile (\(error.localizedDescription))")
        }
        print("wrote \(profileFile); next: task-ledger import --db LEDGER --profile \(profileFile) \(files.joined(separator: " "))")
    }

    private func describe(_ report: SniffReport) -> String {
        func percent(_ n: Int) -> String {
            String(format: "%5.1f%%", report.objects > 0 ? Double(n) * 100 / Double(report.objects) : 0)
        }
        func paths(_ list: [FieldPath]) -> String { list.isEmpty ? "(none found)" : list.map(\.description).joined(separator: ", then ") }
        var out = "lines \(report.lines) · JSON objects \(report.objects) · not JSON \(report.malformed)\n\nkeys (fill = lines where present and not null):\n"
        let width = min(48, report.keys.prefix(keyLimit).map(\.path.description.count).max() ?? 4)
        for key in report.keys.prefix(keyLimit) {
            let types = key.types.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key).joined(separator: "|")
            let times = key.timestamps > 0 ? " · timestamps" : ""
            out += "  \(key.path.description.padding(toLength: width, withPad: " ", startingAt: 0))  \(percent(key.present))  \(types) · \(key.distinct) distinct\(times)\n"
        }
        if report.keys.count > keyLimit { out += "  … \(report.keys.count - keyLimit) more (--keys N)\n" }
        out += "\ncandidates:\n"
        out += "  task:  \(report.taskCandidates.prefix(4).map(\.description).joined(separator: " · ").isEmpty ? "(none found)" : report.taskCandidates.prefix(4).map(\.description).joined(separator: " · "))\n"
        out += "  state: \(paths(report.state))\n"
        out += "  ts:    \(paths(report.ts))\n"
        for condition in report.selection.conditions {
            out += "  only:  \(condition.path) matches \(condition.patterns.joined(separator: " or "))\n"
        }
        if !report.aliases.isEmpty {
            out += "\naliases (observed → SPEC state):\n  " + report.aliases.map { "\($0.from) → \($0.to)" }.joined(separator: " · ") + "\n"
        }
        if !report.stateCounts.isEmpty {
            out += "\nstates (normalised, events):\n  " + report.stateCounts.map { "\($0.state) \($0.count)" }.joined(separator: " · ") + "\n"
        }
        if !report.transitions.isEmpty {
            out += "\ntransitions (directly follows, per task):\n"
            for t in report.transitions { out += "  \(t.from) → \(t.to)  \(t.count)\n" }
        }
        if let rules = report.profile?.rules {
            out += "\nproposed: initial \(rules.states.filter(rules.initial.contains).joined(separator: ", ")) · terminal \(rules.terminalStates.joined(separator: ", "))\n"
        }
        if let formats = report.profile?.timestampFormats, formats.contains(.spaced) {
            out += "ts_formats: rfc3339, spaced (some timestamps are written 2023-01-10 13:50:05 UTC)\n"
        }
        for note in report.notes { out += "note: \(note)\n" }
        return out
    }
}
