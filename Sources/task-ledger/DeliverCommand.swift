import ArgumentParser
import TaskLedger

struct DeliverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Atomically check and record a notification about a task.",
        discussion: """
            Prints `deliver` (exit 0: send it now) or `suppressed duplicate` / `suppressed cooldown` (exit 1). The key defaults to the task and its current state, so each state change is announced once per channel. With --cooldown, a task is announced on a channel at most once per that duration, whatever the key. Exactly one of many racing callers with the same key gets `deliver`.

            Example:
              task-ledger deliver --db ledger.sqlite --task build-42 --channel slack \\
                  --cooldown 15m
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "The task id.") var task: String
    @Option(help: "Where the notification goes, e.g. slack, email.") var channel: String
    @Option(help: "Dedupe key. Default: TASK#STATE.") var key: String?
    @Option(help: "Minimum time between two deliveries for this task and channel, e.g. 15m.", transform: OptionValue.duration)
    var cooldown: Int64?

    func validate() throws {
        guard !task.isEmpty else { throw ValidationError("--task must not be empty") }
        guard !channel.isEmpty else { throw ValidationError("--channel must not be empty") }
    }

    func run() throws {
        let ledger = try self.ledger.open(create: true)
        let outcome = try ledger.deliver(
            task: task, channel: channel, key: key, cooldown: cooldown, now: wallClockMillis())
        print(outcome)
        if outcome != .deliver { throw ExitCode(1) }
    }
}
