import ArgumentParser
import TaskLedger

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy an SQLite ledger into a new PostgreSQL ledger, history in order.",
        discussion: """
            The target database must hold no ledger rows yet (its schema is created if missing). Every table is copied in one transaction, keeping arrival order (seq), so `verify`, reports and resumed imports carry on exactly where the SQLite ledger was.

            Example:
              task-ledger migrate --from ledger.sqlite \\
                  --to postgres://ledger@db.internal:5432/ledger
            """)

    @Option(help: ArgumentHelp("The SQLite ledger to copy.", valueName: "path")) var from: String
    @Option(help: ArgumentHelp("The PostgreSQL database: postgres://user@host:port/dbname or host=… dbname=….", valueName: "url")) var to: String
    @Option(help: ArgumentHelp("A rules file (YAML), as for the other commands.", valueName: "file")) var rules: String?

    func validate() throws {
        guard !from.isEmpty else { throw ValidationError("--from must not be empty") }
        guard !Ledger.isPostgreSQL(from) else { throw ValidationError("--from must be an SQLite ledger") }
        guard Ledger.isPostgreSQL(to) else {
            throw ValidationError("--to must be a postgres:// URL or a keyword/value string (host=… dbname=…)")
        }
    }

    func run() throws {
        let rules = try LedgerOptions.rules(file: self.rules, profile: nil)
        let source = try Ledger(from, rules: rules, mode: .existing)
        let target = try Ledger(to, rules: rules, mode: .create)
        let summary = try source.copy(into: target)
        print("copied " + summary.rows.map { "\($0.table) \($0.count)" }.joined(separator: ", ") + " into \(target.location)")
    }
}
