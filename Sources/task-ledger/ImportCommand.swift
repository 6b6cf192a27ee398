import ArgumentParser
import Foundation
import TaskLedger

/// Set from SIGINT/SIGTERM; the importer stops at the next batch boundary.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Stream JSONL status logs (plain or gzip, files or -) into the ledger, judging every line.",
        discussion: """
            Each file resumes from its checkpoint: re-importing adds nothing, a grown file adds only its new lines, and after a crash the same command completes the import. A truncated or corrupt gzip keeps every complete line before the damage (exit 3). SIGINT/SIGTERM stop at a batch boundary with everything before it committed.

            Examples:
              task-ledger import --db ledger.sqlite events.jsonl.gz --report-dir reports
              zcat logs/*.gz | task-ledger import --db ledger.sqlite -
              task-ledger import --db ledger.sqlite --field task=job_id \\
                  --field ts=@timestamp other.jsonl
              task-ledger import --db ledger.sqlite --profile github-actions \\
                  deliveries.jsonl
            """)

    @OptionGroup var ledger: LedgerOptions

    @Option(name: .customLong("field"), help: ArgumentHelp(
        "Map another system's key onto a field: task=job_id, ts=@timestamp (repeatable; repeated fields are tried in order; replaces that field's paths in --profile).",
        valueName: "field=key"), transform: OptionValue.fieldSpec)
    var fields: [String] = []

    @Option(name: .customLong("report-dir"), help: ArgumentHelp("Write the reports (as `report`) into this directory after importing.", valueName: "dir"))
    var reportDirectory: String?

    @OptionGroup var report: ReportOptionsGroup

    @Flag(help: "No progress line, even on a terminal.") var quiet = false

    @Option(name: .customLong("batch-size"), help: .hidden) var batchSize: Int?

    @Argument(help: ArgumentHelp("JSONL files (.gz or gzip content is decompressed); - for standard input.", valueName: "file"))
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file to import, or - for standard input") }
        guard batchSize ?? 1 > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() throws {
        let ledger = try self.ledger.open(create: true)
        let profile = try self.ledger.loadProfile() ?? Profile(name: "none")
        let decoder = try profile.decoder(fieldSpecs: fields)
        signal(SIGINT) { _ in stopRequested = 1 }
        signal(SIGTERM) { _ in stopRequested = 1 }
        let showProgress = !quiet && isatty(STDERR_FILENO) == 1
        var total = ImportSummary()
        var failed = false
        var lastDraw = Date.distantPast
        for file in files {
            do {
                let summary = try ledger.importFile(file, decoder: decoder, batchSize: batchSize, progress: { p in
                    guard showProgress, Date().timeIntervalSince(lastDraw) > 0.25 else { return }
                    lastDraw = Date()
                    let percent = p.fraction.map { String(format: " %3.0f%%", $0 * 100) } ?? ""
                    let rate = p.elapsed > 0 ? Int(Double(p.judged) / p.elapsed) : 0
                    FileHandle.standardError.write(Data("\r\(file):\(percent) \(p.lines) lines, \(rate) events/s\u{1B}[K".utf8))
                }, shouldStop: { stopRequested != 0 })
                total.add(summary)
            } catch let aborted as ImportAborted {
                total.add(aborted.summary)
                clearProgress(showProgress)
                printError("task-ledger: error: \(aborted)")
                failed = true
                if case .interrupted = aborted.reason { break }
            } catch let error as LedgerError {
                clearProgress(showProgress)
                throw error
            } catch {
                clearProgress(showProgress)
                printError("task-ledger: error: \(error)")
                failed = true
            }
        }
        clearProgress(showProgress)
        print(total.line)
        var status: Int32 = failed ? 3 : 0
        if let reportDirectory, stopRequested == 0 {
            if try report.write(ledger: ledger, to: reportDirectory) && status == 0 { status = 1 }
        }
        if status != 0 { throw ExitCode(status) }
    }

    private func clearProgress(_ shown: Bool) {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
