import ArgumentParser
import TaskLedger

struct WriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Record one live event, judged by the same rules as an import.",
        discussion: """
            Prints the verdict. Exit 0 when the event was applied (also out_of_order, which is applied but flagged) or was a duplicate of one already recorded (a retried write with the same --id is idempotent); exit 1 when it was refused (unknown_state, after_terminal, illegal_transition) — a refused event is still recorded.

            Example:
              task-ledger write --db ledger.sqlite --task build-42 --state running \\
                  --actor ci-7
            """)

    @OptionGroup var ledger: LedgerOptions

    @Option(help: "The task id.") var task: String
    @Option(help: "The state, e.g. RUNNING; normalised and aliased as in the rules.") var state: String
    @Option(help: "When it happened: RFC 3339 or epoch seconds/ms. Default: now.", transform: OptionValue.timestamp)
    var ts: Int64?
    @Option(help: "An event id: a retry with the same id is recorded once.") var id: String?
    @Option(help: "Who reports it.") var actor: String = ""
    @Option(help: "Which system reports it.") var source: String = ""
    @Option(help: "The task's stage.") var stage: String = ""
    @Option(help: "Free text.") var detail: String = ""

    func validate() throws {
        guard !task.isEmpty else { throw ValidationError("--task must not be empty") }
        if let id, id.isEmpty { throw ValidationError("--id must not be empty") }
    }

    func run() throws {
        let timestamp = ts ?? wallClockMillis()
        let event = StatusEvent(
            task: task, state: state, timestamp: timestamp, id: id, actor: actor, source: source,
            stage: stage, detail: detail)
        let ledger = try self.ledger.open(create: true)
        let before = try ledger.snapshot(task: task)
        let verdict = try ledger.write(event)
        print(verdict.rawValue)
        switch verdict {
        case .applied, .duplicate:
            return
        case .outOfOrder:
            printError("out_of_order: applied, but \(Timestamp.format(timestamp)) is earlier than the task's last_ts \(before.map { Timestamp.format($0.lastTimestamp) } ?? "")")
        case .unknownState:
            printError("unknown_state: '\(state)' is not a state of the rules in force (see `task-ledger rules`); recorded, not applied")
            throw ExitCode(1)
        case .afterTerminal:
            printError("after_terminal: task '\(task)' is already \(before?.state ?? "terminal"); recorded, not applied")
            throw ExitCode(1)
        case .illegalTransition:
            let to = ledger.rules.canonicalState(state) ?? state
            let why = before.map { "\($0.state) → \(to) is not allowed" } ?? "a task's first state must be one of \(ledger.rules.states.filter(ledger.rules.initial.contains).joined(separator: ", ")) (--partial accept takes a task first seen mid-lifecycle)"
            printError("illegal_transition: \(why); recorded, not applied")
            throw ExitCode(1)
        default:
            throw ExitCode(1)
        }
    }
}
