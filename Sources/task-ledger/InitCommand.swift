import ArgumentParser
import TaskLedger

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a ledger (or migrate an existing one to this version's schema).",
        discussion: """
            The file is created with mode 0600 (minus the umask). Re-running on an existing ledger is harmless.

            Example:
              task-ledger init --db ledger.sqlite
            """)

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        print("ledger ready: \(try ledger.open(create: true).location)")
    }
}
