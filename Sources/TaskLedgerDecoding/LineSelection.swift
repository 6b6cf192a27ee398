import TaskLedgerCore

/// Which lines are task events: a profile's `only:` conditions. A line that fails one is
/// `skipped` — counted, not stored, not a reject (other systems' logs mix in other records).
///
/// Each condition names a path and glob patterns (`*` any run of characters, `?` one); the line
/// passes when, for every condition, the value at the path matches one of its patterns. Strings
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

    package var conditions: [Condition]

    package init(_ conditions: [Condition] = []) {
        self.conditions = conditions
    }

    /// Every line is a task event.
    package static let everything = LineSelection()

    package var isEverything: Bool { conditions.isEmpty }

    /// Whether the line passes every condition.
    package func admits(_ paths: FieldPaths) -> Bool {
        conditions.allSatisfy { condition in
            guard case .found(let value, _, _) = paths.lookup(condition.path) else { return false }
            let text: String
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
