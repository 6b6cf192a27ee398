import ArgumentParser
import Foundation
import TaskLedger

/// Why an option's value was refused, thrown by the `transform:` parsers of this file.
///
/// ArgumentParser reports it as `The value 'V' is invalid for '--name <v>': DESCRIPTION`;
/// ``Main/usageLine(_:)`` prints that as `--name 'V' is not …` for ``notA(_:)`` and as the
/// description alone for ``message(_:)``.
enum OptionValueError: Error, CustomStringConvertible {
    /// The whole value is not what the option takes, which the text names: `a duration like 90s`.
    case notA(String)
    /// A complete message that names the option and the refused part, e.g. one item of a list.
    case message(String)

    var description: String {
        switch self {
        case .notA(let expected): "not \(expected)"
        case .message(let text): text
        }
    }
}

/// The `transform:` parsers of options whose values are more than a string: each returns the
/// value `run()` uses, or refuses the text at parse time (exit 2).
enum OptionValue {
    /// `--older-than`, `--cooldown`: `90s`, `15m`, `2h`, `1d` (also `500ms`) → milliseconds.
    static func duration(_ text: String) throws(OptionValueError) -> Int64 {
        guard let ms = DurationText.parse(text) else { throw .notA("a duration like 90s, 15m, 2h, 1d") }
        return ms
    }

    /// `--ts`, `--since`, `--until`: RFC 3339 or an epoch number → epoch milliseconds.
    static func timestamp(_ text: String) throws(OptionValueError) -> Int64 {
        guard let ms = Timestamp.parse(text) else {
            throw .notA("an RFC 3339 timestamp (2026-11-24T10:00:00Z) or epoch seconds")
        }
        return ms
    }

    /// `--fail-on`: `any`, or a comma list of violation kinds.
    static func violationKinds(_ text: String) throws(OptionValueError) -> Set<Verdict> {
        let violations = Verdict.allCases.filter(\.isViolation)
        if text == "any" { return Set(violations) }
        var kinds = Set<Verdict>()
        for name in commaList(text) {
            guard let kind = Verdict(rawValue: name), kind.isViolation else {
                let valid = violations.map(\.rawValue).joined(separator: ", ")
                throw .message("--fail-on: '\(name)' is not a violation kind (use any, or some of: \(valid))")
            }
            kinds.insert(kind)
        }
        return kinds
    }

    /// `--format`: a comma list of report formats, or `all`.
    static func reportFormats(_ text: String) throws(OptionValueError) -> Set<ReportOptions.Format> {
        var formats = Set<ReportOptions.Format>()
        for name in commaList(text) {
            if name == "all" {
                formats.formUnion(ReportOptions.Format.allCases)
                continue
            }
            guard let format = ReportOptions.Format(rawValue: name) else {
                let valid = ReportOptions.Format.allCases.map(\.rawValue).joined(separator: ", ")
                throw .message("--format: '\(name)' is not one of \(valid) (or all)")
            }
            formats.insert(format)
        }
        return formats
    }

    /// `--field FIELD=KEY`: checked here, one spec at a time, with the library's own rules; the
    /// specs go to ``Profile/decoder(fieldSpecs:)`` as given, because the profile they apply to
    /// is only loaded in `run()`.
    static func fieldSpec(_ text: String) throws(OptionValueError) -> String {
        do {
            _ = try FieldMapping(specs: [text])
        } catch {
            throw .message(error.description)
        }
        return text
    }

    /// The trimmed items of `a, b,c`; an empty item stays, so that `a,,b` is refused by name.
    private static func commaList(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// `--now`: the time stale ages are measured from. `latest` needs the ledger, so `run()`
/// resolves it with ``resolve(in:)``; without `--now` it is the wall clock.
enum Now {
    /// The latest ts in the ledger (the wall clock while the ledger is empty).
    case latest
    /// This time, in epoch milliseconds.
    case at(Int64)

    init(argument text: String) throws(OptionValueError) {
        if text == "latest" {
            self = .latest
        } else if let ms = Timestamp.parse(text) {
            self = .at(ms)
        } else {
            throw .notA("'latest', an RFC 3339 timestamp or epoch seconds")
        }
    }

    /// This time in epoch milliseconds.
    func resolve(in ledger: Ledger) throws -> Int64 {
        switch self {
        case .latest: try ledger.latestTimestamp() ?? wallClockMillis()
        case .at(let ms): ms
        }
    }
}

extension PartialObservation: ExpressibleByArgument {}
