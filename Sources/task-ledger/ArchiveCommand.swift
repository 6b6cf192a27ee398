import ArgumentParser
import Foundation
import TaskLedger

struct ArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Move the history of tasks that ended before a time into another ledger.",
        discussion: """
            Every task whose terminal event is before --before goes, with all its events, its snapshot, its deliveries and its rejects, into the ledger --to (an SQLite file, created if missing, or a PostgreSQL database), --batch-size tasks per transaction: each batch is committed in the archive first, then deleted from --db. Open tasks and tasks that ended later stay. --db keeps a record of the archive (ledger_archives: where, up to when, how many). A killed archive is resumed by running it again; running it again when it finished moves nothing. Both ledgers pass `verify`; `report`, `history` and `status` work on each.

            An event that arrives later for an archived task starts that task afresh in --db, and ids of archived events are no longer deduplicated there: archive tasks whose lines will not be sent again (a --before well behind the nightly import).

            Example:
              task-ledger archive --db ledger.sqlite --before 2026-09-01T00:00:00Z \\
                  --to archive-2026-08.sqlite
            """)

    @OptionGroup var ledger: LedgerOptions

    @Option(help: "Move tasks whose terminal event is before this time (RFC 3339 or epoch seconds).", transform: OptionValue.timestamp)
    var before: Int64

    @Option(help: ArgumentHelp("The archive ledger: an SQLite file (created if missing) or a PostgreSQL URL or libpq string.", valueName: "path|url"))
    var to: String

    @Option(name: .customLong("batch-size"), help: "Tasks per transaction (default 3000).")
    var batchSize: Int = 3_000

    @Flag(help: "No progress on standard error (shown only when it is a terminal).")
    var quiet = false

    func validate() throws {
        try ledger.validate()
        guard !to.isEmpty else { throw ValidationError("--to must not be empty") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        let live = try ledger.open(create: false)
        let archive = try Ledger(to, rules: live.rules, mode: .create)
        // Progress on a terminal only, redrawn in place, as import does.
        let showProgress = !quiet && isatty(STDERR_FILENO) == 1
        let summary = try live.archive(before: before, into: archive, as: to, batchSize: batchSize) { running in
            guard showProgress else { return }
            FileHandle.standardError.write(Data("\rarchived \(running.tasks) tasks, \(running.events) events\u{1B}[K".utf8))
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        print("""
            archived \(summary.tasks) tasks ended before \(Timestamp.format(before)): \(summary.events) events, \
            \(summary.rejects) rejects, \(summary.deliveries) deliveries into \(archive.location) \
            in \(summary.batches) batches · \(String(format: "%.2f", summary.elapsed)) s
            """)
    }
}
