import ArgumentParser
import Foundation
import TaskLedgerTestData
import TaskLedger

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a deterministic synthetic status stream, for tests and benchmarks.",
        discussion: """
            About 10 events per task, many tasks in flight at once, retries, heartbeats, some tasks left open, and at --violation-rate the bad kinds of SPEC §4 (malformed lines, missing and bad fields, bad timestamps, duplicates, unknown states, events after a terminal state, illegal transitions, out-of-order timestamps). The same arguments always give the same bytes.

            Example:
              task-ledger generate --tasks 100000 --seed 1 --gzip --output bench.jsonl.gz
              task-ledger generate --tasks 100000 --ids uuid --night 3 --gzip --output n3.gz
            """)

    @Option(help: "How many tasks.") var tasks: Int
    @Option(help: "Random seed: the same seed gives the same stream.") var seed: UInt64 = 1
    @Option(name: .customLong("violation-rate"), help: "Share of lines that are violations or bad lines (0…1).")
    var violationRate: Double = 0.01
    @Option(help: ArgumentHelp(
        "Id shapes: 'sequential' (event ids and task ids in file order) or 'uuid' (random UUID event ids; task ids that are UUIDs or scattered build numbers, in no order), as real producers write them.",
        valueName: "shape"), transform: { text throws(OptionValueError) in
            guard let shape = StreamGenerator.IDShape(rawValue: text) else { throw .notA("sequential or uuid") }
            return shape
        })
    var ids: StreamGenerator.IDShape = .sequential
    @Option(help: ArgumentHelp(
        "Night N of a series (1 = first): the day 2026-03-01 + N−1, with new tasks whose starts spread over that day (those running at its end run past midnight). Consecutive nights into one ledger make a ledger that grows as a nightly one does.",
        valueName: "N"))
    var night: Int?
    @Flag(help: "Write gzip.") var gzip = false
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var output: String?

    func validate() throws {
        guard tasks > 0 else { throw ValidationError("--tasks must be positive") }
        if let night, night < 1 { throw ValidationError("--night must be 1 or more") }
        guard (0...1).contains(violationRate) else { throw ValidationError("--violation-rate must be between 0 and 1") }
        if gzip, output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("refusing to write gzip to a terminal: use --output FILE or a pipe")
        }
    }

    func run() throws {
        var generator = StreamGenerator(tasks: tasks, seed: seed, violationRate: violationRate)
        generator.ids = ids
        generator.night = night
        if let output {
            try generator.write(toPath: output, gzip: gzip)
        } else {
            try generator.generate(gzip: gzip) { bytes in
                var done = 0
                while done < bytes.count {
                    let n = Foundation.write(STDOUT_FILENO, bytes.baseAddress! + done, bytes.count - done)
                    if n < 0, errno == EINTR { continue }
                    guard n > 0 else {
                        throw CLIError("standard output: write failed (\(String(cString: strerror(errno))))")
                    }
                    done += n
                }
            }
        }
    }
}
