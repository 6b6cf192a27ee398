import ArgumentParser
import Foundation
import TaskLedger

/// `--db PATH`, shared by every command that opens a ledger.
struct LedgerOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "The ledger: an SQLite file, a postgres://user@host:port/dbname URL or a libpq string (host=… dbname=…). Default: $TASK_LEDGER_DB.", valueName: "path|url"))
    var dbOption: String?

    /// `--db`, else `$TASK_LEDGER_DB` (checked by ``validate()``).
    var db: String { dbOption ?? ProcessInfo.processInfo.environment["TASK_LEDGER_DB"] ?? "" }

    @Option(name: .long, help: ArgumentHelp("A rules file (YAML) replacing the default rules.", valueName: "file"))
    var rules: String?

    @Option(name: .long, help: ArgumentHelp(
        "A profile: a built-in name (see `task-ledger profiles`) or a YAML file. Its rules apply unless --rules is given; import also reads lines by its fields and only:.",
        valueName: "name|file"))
    var profile: String?

    @Option(name: .long, help: ArgumentHelp(
        "How a task first seen mid-lifecycle (its earlier events outside the log) is judged: reject (illegal_transition, SPEC §4) or accept (applied, marked partial in reports). Default: the rules' or profile's `partial:`, else reject.",
        valueName: "reject|accept"))
    var partial: PartialObservation?

    /// The `--profile`, if any.
    func loadProfile() throws -> Profile? {
        try profile.map(loadNamedProfile)
    }

    /// `--rules`, else the profile's rules, else SPEC §3's; `--partial` over their `partial:`.
    func loadRules() throws -> Rules {
        let loaded = try Self.rules(file: rules, profile: profile)
        return partial.map(loaded.with(partial:)) ?? loaded
    }

    /// The rules of a rules file, else those of a profile (built-in name or file), else SPEC §3's:
    /// what `--rules` and `--profile` mean, also for commands that open no ledger.
    static func rules(file: String?, profile: String?) throws -> Rules {
        guard let path = file else { return try profile.map(loadNamedProfile)?.rules ?? .standard }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError("\(path): cannot read the rules file (\(error.localizedDescription))")
        }
        do {
            return try Rules(yaml: text)
        } catch {
            throw CLIError("\(path): \(error)")
        }
    }

    /// Opens the ledger (SQLite or PostgreSQL, by the form of `--db`); `create` for commands that write.
    func open(create: Bool) throws -> Ledger {
        try Ledger(db, rules: loadRules(), mode: create ? .create : .existing)
    }

    func validate() throws {
        guard !db.isEmpty else { throw ValidationError("--db must not be empty (give --db or set TASK_LEDGER_DB)") }
    }
}

/// A built-in profile by name, else a profile file: a name of a built-in wins (write `./celery`
/// for a file of that name).
func loadNamedProfile(_ nameOrPath: String) throws -> Profile {
    if let builtIn = Profile.builtIn(named: nameOrPath) { return builtIn }
    let text: String
    do {
        text = try String(contentsOfFile: nameOrPath, encoding: .utf8)
    } catch {
        throw CLIError(
            "\(nameOrPath): not a built-in profile (\(Profile.builtInNames.joined(separator: ", "))) and not a readable file (\(error.localizedDescription))")
    }
    do {
        return try Profile(yaml: text, file: nameOrPath)
    } catch {
        throw CLIError("\(error)")
    }
}

/// A failure with a message for people; exit code 3.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func wallClockMillis() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// An age for people: `2h 05m`, `3d 4h`, `45s`.
func humanAge(_ ms: Int64) -> String {
    let s = ms / 1000
    switch s {
    case ..<60: return "\(s)s"
    case ..<3600: return "\(s / 60)m \(String(s % 60).leftPadded(2))s"
    case ..<86_400: return "\(s / 3600)h \(String(s / 60 % 60).leftPadded(2))m"
    default: return "\(s / 86_400)d \(s / 3600 % 24)h"
    }
}
