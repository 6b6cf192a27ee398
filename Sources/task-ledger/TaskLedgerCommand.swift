import ArgumentParser

@main
struct TaskLedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "task-ledger")
}
