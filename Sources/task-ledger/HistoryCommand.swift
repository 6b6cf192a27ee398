import ArgumentParser
import TaskLedger

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List a task's events in arrival order, with their verdicts.",
        discussion: """
            Example:
              task-ledger history --db ledger.sqlite build-42
              task-ledger history --db ledger.sqlite build-42 --json
            """)

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The task id.") var task: String
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() throws {
        let ledger = try self.ledger.open(create: false)
        let events = try ledger.history(task: task)
        guard !events.isEmpty else { throw CLIError("task '\(task)': no events in \(ledger.location)") }
        if json { return try printJSON(events) }
        print(["seq", "ts", "state", "verdict", "from", "actor", "stage", "origin"].joined(separator: "\t"))
        for e in events {
            let origin = e.file.isEmpty ? "live" : "\(e.file):\(e.line.map(String.init) ?? "")"
            print([String(e.seq), Timestamp.format(e.timestamp), e.state, e.verdict.rawValue, e.fromState ?? "-", e.actor, e.stage, origin]
                .joined(separator: "\t"))
        }
    }
}
