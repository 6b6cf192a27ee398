import ArgumentParser
import TaskLedger

struct StaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stale",
        abstract: "List open tasks that went silent: now − last_ts above the threshold.",
        discussion: """
            Thresholds come from the rules (default 15m for every state) unless --older-than is given. Oldest first.

            Example:
              task-ledger stale --db ledger.sqlite --older-than 2h
              task-ledger stale --db ledger.sqlite --now latest --json
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "The time to measure age from: RFC 3339, epoch seconds, or 'latest' (the latest ts in the ledger). Default: now.", transform: Now.init(argument:))
    var now: Now?
    @Option(name: .customLong("older-than"), help: "One threshold for every state, e.g. 90s, 15m, 2h, 1d.", transform: OptionValue.duration)
    var olderThan: Int64?
    @Flag(help: "Print JSON for scripts.") var json = false

    struct Output: Encodable {
        var task, state, last_ts, actor, source, stage: String
        var age_s: Double
    }

    func run() throws {
        let ledger = try self.ledger.open(create: false)
        let at = try now?.resolve(in: ledger) ?? wallClockMillis()
        let stale = try ledger.staleTasks(now: at, olderThan: olderThan)
        if json {
            return try printJSON(stale.map {
                Output(task: $0.snapshot.task, state: $0.snapshot.state, last_ts: Timestamp.format($0.snapshot.lastTimestamp),
                       actor: $0.snapshot.actor, source: $0.snapshot.source, stage: $0.snapshot.stage,
                       age_s: Double($0.age) / 1000)
            })
        }
        // One write of the whole table: a print per row cost more than the query.
        var out = "task\tstate\tlast_ts\tage\tactor\tstage\n"
        out.reserveCapacity(stale.count * 96)
        for s in stale {
            for field in [s.snapshot.task, s.snapshot.state, Timestamp.format(s.snapshot.lastTimestamp), humanAge(s.age), s.snapshot.actor] {
                out += field
                out += "\t"
            }
            out += s.snapshot.stage
            out += "\n"
        }
        print(out, terminator: "")
        printError("\(stale.count) stale task\(stale.count == 1 ? "" : "s") at \(Timestamp.format(at))")
    }
}
