import TaskLedgerCore

/// Which lines are task events: a profile's `only:` conditions. A line that fails one is
/// `skipped` — counted, not stored, not a reject (other systems' logs mix in other records).
///
/// Each condition names a path and glob patterns (`*` any run of characters, `?` one); the line
/// passes when, for every condition, the value at the path matches one of its patterns. `only:`
/// may also be a list of such mappings (*alternatives*): the line passes when one of them holds
/// (`workflow_job.id: "*"` or `workflow_run.id: "*"`). Strings
/// match by their text, numbers and booleans by their literal (`42`, `true`); an absent path,
/// null, an object or an array matches nothing.
package struct LineSelection: Sendable, Equatable {
    /// One `only:` entry.
    package struct Condition: Sendable, Equatable {
        package var path: FieldPath
        package var patterns: [String]

        package init(path: FieldPath, patterns: [String]) {
            self.path = path
            self.patterns = patterns
        }
    }

    /// Each alternative's conditions; a line passes when every condition of one alternative
    /// holds. Empty: every line passes.
    package var alternatives: [[Condition]]

    /// The conditions of a selection with one alternative (what an `only:` mapping gives).
    package var conditions: [Condition] { alternatives.count == 1 ? alternatives[0] : alternatives.flatMap { $0 } }

    package init(_ conditions: [Condition] = []) {
        alternatives = conditions.isEmpty ? [] : [conditions]
    }

    package init(alternatives: [[Condition]]) {
        // An alternative without conditions admits every line, and so does the selection.
        self.alternatives = alternatives.contains(where: \.isEmpty) ? [] : alternatives
    }

    /// Every line is a task event.
    package static let everything = LineSelection()

    package var isEverything: Bool { alternatives.isEmpty }

    /// Whether the line passes every condition of one alternative.
    package func admits(_ paths: FieldPaths) -> Bool {
        alternatives.contains { conditions in admits(paths, conditions) }
    }

    private func admits(_ paths: FieldPaths, _ conditions: [Condition]) -> Bool {
        conditions.allSatisfy { condition in
            let text: String
            let value: JSONValue
            switch paths.lookup(condition.path) {
            case .found(let found, _, _): value = found
            case .composed(let composed, _): return condition.patterns.contains { Self.glob($0, matches: composed) }
            default: return false
            }
            switch value.kind {
            case .string: text = paths.line.text(of: value)
            case .number, .bool: text = String(decoding: paths.line.raw(value.start..<value.end), as: UTF8.self)
            case .null, .object, .array: return false
            }
            return condition.patterns.contains { Self.glob($0, matches: text) }
        }
    }

    /// Whether `text` matches the glob `pattern` (`*` any run, `?` one character).
    package static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0
        var star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
