import ArgumentParser
import TaskLedger

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Rebuild every snapshot from task_events and report any difference.",
        discussion: """
            Exit 0 when every stored snapshot equals the one rebuilt from history, 1 otherwise.

            Example:
              task-ledger verify --db ledger.sqlite
            """)

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        let report = try ledger.open(create: false).verify()
        for problem in report.problems { print("problem: \(problem)") }
        for difference in report.differences { print("differs: \(difference)") }
        print("verified \(report.events) events of \(report.tasks) tasks: \(report.isClean ? "clean" : "\(report.differences.count) snapshot differences, \(report.problems.count) problems")")
        if !report.isClean { throw ExitCode(1) }
    }
}
