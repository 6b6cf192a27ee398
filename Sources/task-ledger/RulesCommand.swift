import ArgumentParser
import TaskLedger

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Print the rules in force as YAML (loadable with --rules).",
        discussion: """
            Example:
              task-ledger rules > my-rules.yaml     # edit, then:
              task-ledger import --db ledger.sqlite --rules my-rules.yaml events.jsonl
            """)

    @Option(help: ArgumentHelp("A rules file to check and print instead of the defaults.", valueName: "file"))
    var rules: String?

    @Option(help: ArgumentHelp("Print the rules of this profile (built-in name or file).", valueName: "name|file"))
    var profile: String?

    func run() throws {
        print(try LedgerOptions.rules(file: rules, profile: profile).yaml, terminator: "")
    }
}
