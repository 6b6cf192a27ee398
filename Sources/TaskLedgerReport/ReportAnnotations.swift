import TaskLedgerCore

extension Report {
    /// GitHub shows at most this many `::error` and this many `::warning` annotations of a
    /// step on the run page; more are dropped silently, so the rest are counted instead.
    public static let githubAnnotationLimit = 10

    /// The violations as GitHub Actions workflow commands, one line each: `::error` for the
    /// kinds in ``ReportOptions/failOn``, `::warning` for the others, with `file=` and `line=`
    /// (the file as the import was given it) so the run page points at the offending log line,
    /// and a title naming the kind and task. At most ``githubAnnotationLimit`` of each; a last
    /// plain line says how many were left out and where they all are. Escaped as GitHub's
    /// toolkit escapes: `%` CR LF in the message, also `:` and `,` in properties.
    public var githubAnnotations: [String] {
        var lines: [String] = []
        var errors = 0, warnings = 0
        for violation in violations {
            let isError = options.failOn.contains(violation.kind)
            if isError { errors += 1 } else { warnings += 1 }
            guard (isError ? errors : warnings) <= Report.githubAnnotationLimit else { continue }
            var properties: [String] = []
            if let line = violation.line, !violation.file.isEmpty {
                properties += ["file=" + GitHubCommand.property(violation.file), "line=\(line)"]
            }
            let title = violation.kind.rawValue + (violation.task.map { " · " + $0 } ?? "")
            properties.append("title=" + GitHubCommand.property(title))
            lines.append("::\(isError ? "error" : "warning") \(properties.joined(separator: ","))::"
                + GitHubCommand.data(violation.message))
        }
        let leftOut = (errors: max(0, errors - Report.githubAnnotationLimit),
                       warnings: max(0, warnings - Report.githubAnnotationLimit))
        if leftOut.errors + leftOut.warnings > 0 {
            lines.append("task-ledger: \(leftOut.errors) error and \(leftOut.warnings) warning annotations left out "
                + "(GitHub shows \(Report.githubAnnotationLimit) of each per step); every violation is in violations.csv")
        }
        return lines
    }
}

/// GitHub's escaping of workflow command values (`@actions/core`'s `escapeData` and
/// `escapeProperty`), so that a value cannot end its command or start another.
enum GitHubCommand {
    static func data(_ value: String) -> String { escaped(value, property: false) }

    static func property(_ value: String) -> String { escaped(value, property: true) }

    /// By Unicode scalar, not Character: a `:` followed by a combining mark is still a `:`.
    private static func escaped(_ value: String, property: Bool) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            case ":" where property: out += "%3A"
            case "," where property: out += "%2C"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
