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
            """)

    @Option(help: "How many tasks.") var tasks: Int
    @Option(help: "Random seed: the same seed gives the same stream.") var seed: UInt64 = 1
    @Option(name: .customLong("violation-rate"), help: "Share of lines that are violations or bad lines (0…1).")
    var violationRate: Double = 0.01
    @Flag(help: "Write gzip.") var gzip = false
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var output: String?

    func validate() throws {
        guard tasks > 0 else { throw ValidationError("--tasks must be positive") }
        guard (0...1).contains(violationRate) else { throw ValidationError("--violation-rate must be between 0 and 1") }
        if gzip, output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("refusing to write gzip to a terminal: use --output FILE or a pipe")
        }
    }

    func run() throws {
        let generator = StreamGenerator(tasks: tasks, seed: seed, violationRate: violationRate)
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
