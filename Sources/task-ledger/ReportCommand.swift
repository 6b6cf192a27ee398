import ArgumentParser
import Foundation
import TaskLedger

/// The report options shared by `report` and `import --report-dir`.
struct ReportOptionsGroup: ParsableArguments {
    @Option(help: "Measure stale ages from this time: RFC 3339, epoch seconds, or 'latest' (the latest ts in the ledger, for reproducible reports over old logs). Default: now.",
            transform: Now.init(argument:))
    var now: Now?

    @Option(help: "Only events with ts at or after this time (RFC 3339 or epoch seconds).", transform: OptionValue.timestamp)
    var since: Int64?

    @Option(help: "Only events with ts before this time (RFC 3339 or epoch seconds).", transform: OptionValue.timestamp)
    var until: Int64?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp(
        "Exit 1 after writing the reports if violations of these kinds exist: a comma list (illegal_transition,after_terminal,…) or 'any'.",
        valueName: "kinds"), transform: OptionValue.violationKinds)
    var failOn: Set<Verdict> = []

    @Option(name: .customLong("format"), help: ArgumentHelp("Which outputs to write: a comma list of csv, md, json, junit (junit.xml, for CI test reports), html (report.html), or 'all'. Default: csv,md,json.", valueName: "formats"),
            transform: OptionValue.reportFormats)
    var formats: Set<ReportOptions.Format> = [.csv, .md, .json]

    @Option(help: ArgumentHelp(
        "Print the violations as CI annotations on standard output: 'github' (::error for the --fail-on kinds, ::warning for the others, at most 10 of each) or 'none'. Default: github when GITHUB_ACTIONS=true, else none.",
        valueName: "style"), transform: { text throws(OptionValueError) in
            guard let style = AnnotationStyle(rawValue: text) else { throw .notA("github or none") }
            return style
        })
    var annotations: AnnotationStyle?

    @Flag(name: .customLong("excel-safe"), help: "Prefix CSV cells starting with = + - @ with ' so spreadsheets do not run them as formulas (off by default: exact data for machines).")
    var excelSafe = false

    /// Writes the reports into `directory`, appends the Markdown to `$GITHUB_STEP_SUMMARY` when
    /// set, and tells whether `--fail-on` is triggered.
    func write(ledger: Ledger, to directory: String) throws -> Bool {
        let options = ReportOptions(
            now: try now?.resolve(in: ledger) ?? wallClockMillis(), since: since, until: until, excelSafe: excelSafe,
            formats: formats, failOn: failOn)
        let (report, written) = try ledger.writeReport(options, to: directory)
        let names = written.map { URL(fileURLWithPath: $0).lastPathComponent }
        printError("reports in \(directory): \(names.joined(separator: ", "))")
        if let summaryPath = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summaryPath.isEmpty,
           let markdown = report.contents(ofFile: "report.md") {
            try appendText(markdown + "\n", to: summaryPath)
        }
        let style = annotations ?? (ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" ? .github : .none)
        if style == .github {
            for line in report.githubAnnotations { print(line) }
        }
        if report.hasViolations(of: failOn) {
            let counts = failOn.sorted().compactMap { k in report.violationCounts[k].map { "\(k.rawValue) \($0)" } }
            printError("--fail-on: \(counts.joined(separator: ", "))")
            return true
        }
        return false
    }

    private func appendText(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError("\(path): cannot append the step summary (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard Foundation.write(fd, bytes, bytes.count) == bytes.count else {
            throw CLIError("\(path): cannot append the step summary (\(String(cString: strerror(errno))))")
        }
    }
}

/// `--annotations`: how violations are shown inline in a CI system's run page.
enum AnnotationStyle: String {
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    case github
    /// None.
    case none
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write outcomes.csv, violations.csv, stale.csv, summary.json and report.md (report.html with --format html) from the ledger.",
        discussion: """
            Reports read the ledger only, so they can be made at any time for everything imported so far. Same ledger and same --now → byte-identical files. With --fail-on, exit 1 after writing the reports when such violations exist (for CI).

            Examples:
              task-ledger report --db ledger.sqlite --out reports --now latest
              task-ledger report --db ledger.sqlite --out nightly \\
                  --since 2026-11-24T00:00:00Z --until 2026-11-25T00:00:00Z \\
                  --fail-on illegal_transition,after_terminal
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: ArgumentHelp("Directory to write the reports into (created if missing).", valueName: "dir"))
    var out: String
    @OptionGroup var report: ReportOptionsGroup

    func run() throws {
        let ledger = try self.ledger.open(create: false)
        if try report.write(ledger: ledger, to: out) { throw ExitCode(1) }
    }
}
