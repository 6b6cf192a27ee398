import ArgumentParser
import Foundation
import TaskLedger

/// Entry point: parses, runs, and maps every failure to SPEC §5's exit codes with a one-line
/// message (2 usage, 3 I/O or data); commands throw `ExitCode(1)` themselves for refusals.
@main
enum Main {
    static func main() {
        // A file-size limit (ulimit -f) must surface as a write error, not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        var command: any ParsableCommand
        do {
            command = try TaskLedgerCommand.parseAsRoot()
        } catch {
            let code = TaskLedgerCommand.exitCode(for: error)
            let message = TaskLedgerCommand.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            fail(usageLine(message), code: 2)
        }
        do {
            try command.run()
            fflush(nil)
            exit(0)
        } catch let code as ExitCode {
            fflush(nil)
            exit(code.rawValue)
        } catch let error as ValidationError {
            fail(error.message, code: 2)
        } catch where TaskLedgerCommand.exitCode(for: error) == .success {
            // `--help` and `help CMD`: the parser hands back a command whose run() throws the help.
            print(TaskLedgerCommand.fullMessage(for: error))
            fflush(nil)
            exit(0)
        } catch {
            fail("\(error)", code: 3)
        }
    }

    /// ArgumentParser's multi-line usage message as one line: the problem and where help is.
    static func usageLine(_ message: String) -> String {
        let lines = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var problem = lines.first ?? message
        if problem.hasPrefix("Error: ") { problem.removeFirst("Error: ".count) }
        problem = refusedValue(problem) ?? problem
        if let hint = lines.first(where: { $0.hasPrefix("See '") }) {
            return "\(problem) (\(hint.dropLast(hint.hasSuffix(".") ? 1 : 0).replacingOccurrences(of: "See '", with: "see '")))"
        }
        return problem
    }

    /// ArgumentParser's `The value 'V' is invalid for '--name <v>': DETAIL`, where DETAIL is an
    /// ``OptionValueError``, naming the option and the value once: `--name 'V' is not …` for
    /// ``OptionValueError/notA(_:)``, else DETAIL, which is a whole message. Nil for any other
    /// problem.
    static func refusedValue(_ problem: String) -> String? {
        let lead = "The value '"
        guard problem.hasPrefix(lead), let middle = problem.range(of: "' is invalid for '"),
              let colon = problem.range(of: "': ", range: middle.upperBound..<problem.endIndex)
        else { return nil }
        let value = problem[problem.index(problem.startIndex, offsetBy: lead.count)..<middle.lowerBound]
        let option = problem[middle.upperBound..<colon.lowerBound].prefix { $0 != " " }
        let detail = problem[colon.upperBound...]
        return detail.hasPrefix("not ") ? "\(option) '\(value)' is \(detail)" : String(detail)
    }

    static func fail(_ message: String, code: Int32) -> Never {
        fflush(nil)
        FileHandle.standardError.write(Data("task-ledger: error: \(message)\n".utf8))
        exit(code)
    }
}

struct TaskLedgerCommand: ParsableCommand {
    /// What `task-ledger --version` prints: which build a CI job downloaded.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "task-ledger",
        abstract: "An append-only SQLite ledger of task lifecycles, and audit reports from status logs.",
        discussion: """
            Exit codes: 0 ok · 1 --fail-on triggered or write refused · 2 usage · 3 I/O or data error.
            """,
        version: version,
        subcommands: [
            InitCommand.self, ImportCommand.self, WriteCommand.self, StatusCommand.self,
            HistoryCommand.self, StaleCommand.self, DeliverCommand.self, ReportCommand.self,
            VerifyCommand.self, RulesCommand.self, ProfilesCommand.self, ProfileCommand.self, SniffCommand.self,
            GenerateCommand.self, MigrateCommand.self, ArchiveCommand.self,
        ])
}
