import ArgumentParser
import TaskLedger

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a task's current state (its snapshot).",
        discussion: """
            Exit 3 if the ledger has no event of the task.

            Example:
              task-ledger status --db ledger.sqlite build-42
              task-ledger status --db ledger.sqlite build-42 --json
            """)

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The task id.") var task: String
    @Flag(help: "Print JSON for scripts.") var json = false

    struct Output: Encodable {
        var task: String
        var state: String?
        var terminal: Bool
        var stage, actor, source: String?
        var first_ts, last_ts, terminal_ts: String?
        /// First seen mid-lifecycle (rules `partial: accept`); nil without a snapshot.
        var partial: Bool?
        var events: Int
    }

    func run() throws {
        let ledger = try self.ledger.open(create: false)
        let snapshot = try ledger.snapshot(task: task)
        let events = try ledger.eventCount(task: task)
        guard events > 0 else { throw CLIError("task '\(task)': no events in \(ledger.location)") }
        let output = Output(
            task: task, state: snapshot?.state, terminal: snapshot.map { ledger.rules.isTerminal($0.state) } ?? false,
            stage: snapshot?.stage, actor: snapshot?.actor, source: snapshot?.source,
            first_ts: snapshot.map { Timestamp.format($0.firstTimestamp) },
            last_ts: snapshot.map { Timestamp.format($0.lastTimestamp) },
            terminal_ts: snapshot?.terminalTimestamp.map(Timestamp.format), partial: snapshot?.partial, events: events)
        if json { return try printJSON(output) }
        print("task         \(task)")
        guard let s = snapshot else {
            print("state        (none: no event of this task was applied; see `history`)")
            print("events       \(events)")
            return
        }
        print("state        \(s.state)\(output.terminal ? " (terminal)" : " (open)")")
        print("stage        \(s.stage)")
        print("actor        \(s.actor)")
        print("source       \(s.source)")
        print("first_ts     \(Timestamp.format(s.firstTimestamp))")
        print("last_ts      \(Timestamp.format(s.lastTimestamp))")
        if let t = s.terminalTimestamp {
            print("terminal_ts  \(Timestamp.format(t))")
            if !s.partial { print("duration     \(ReportNumber.seconds(t - s.firstTimestamp)) s") }
        }
        if s.partial { print("partial      first seen mid-lifecycle: its start is not in the ledger") }
        print("events       \(events)")
    }
}
