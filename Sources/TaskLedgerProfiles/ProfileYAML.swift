import Yams
import TaskLedgerCore
import TaskLedgerDecoding

/// The profile file format: the rules file of SPEC §3 (`states`, `terminal`, `initial`,
/// `transitions`, `aliases`, `stale`; all optional together — without them, SPEC §3's rules)
/// plus:
///
/// ```yaml
/// name: github-actions
/// description: "…"
/// source: github-actions            # stamped on events whose line has no source
/// fields:                           # per field, dotted paths tried in order; [] = never
///   task: [workflow_job.id]
///   state: [workflow_job.conclusion, action]
/// only:                             # every condition must hold, else the line is skipped
///   workflow_job.id: "*"            # glob, or a list of globs
/// ts_formats: [rfc3339, spaced]     # text forms of ts besides epoch numbers (default rfc3339)
/// ```
///
/// `only:` may also be a list of such mappings: a line is an event when one of them holds. A
/// path under `fields:` may be a template (`"{info.invocation_id}/{data.node_info.unique_id}"`)
/// or `$file` (see ``FieldPath``).
///
/// Fields not named keep SPEC §2's keys. Mistakes are refused with the line of the YAML.
extension Profile {
    package static let profileKeys: Set<String> = ["name", "description", "source", "fields", "only", "ts_formats"]

    /// Loads a profile; `file` names it in errors (`file:line: message`).
    public init(yaml: String, file: String) throws(ProfileError) {
        func fail(_ node: Node?, _ message: String) -> ProfileError {
            ProfileError(file: file, line: node?.mark?.line, message: message)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ProfileError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
        guard let root, case .mapping(let map) = root else {
            throw fail(root, "a profile must be a mapping (keys: name, fields, only, source, and the rules keys)")
        }
        var name = "", summary = "", source: String?
        var paths: [FieldMapping.Field: [FieldPath]] = [:]
        var alternatives: [[LineSelection.Condition]] = []
        var formats: Set<TimestampFormat> = [.rfc3339]
        var hasRules = false
        for (keyNode, value) in map {
            guard let key = Self.string(keyNode) else { throw fail(keyNode, "keys must be strings") }
            switch key {
            case "name", "description", "source":
                guard let text = Self.string(value) else { throw fail(value, "'\(key)' must be a string") }
                if key == "name" { name = text } else if key == "source" { source = text } else { summary = text }
            case "fields":
                guard case .mapping(let fields) = value else {
                    throw fail(value, "'fields' must map fields (task, state, …) to lists of paths")
                }
                for (fieldNode, list) in fields {
                    let fieldName = Self.string(fieldNode) ?? ""
                    guard let field = FieldMapping.Field(rawValue: fieldName) else {
                        throw fail(fieldNode, "unknown field '\(fieldName)' under fields: the fields are "
                            + FieldMapping.Field.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    paths[field] = try Self.strings(list, what: "a path", in: "fields.\(fieldName)", file: file)
                        .map { (text, node) throws(ProfileError) in try Self.path(text, node, file: file) }
                }
            case "only":
                let mappings: [Node]
                if case .sequence(let list) = value { mappings = Array(list) } else { mappings = [value] }
                for (n, mappingNode) in mappings.enumerated() {
                    guard case .mapping(let only) = mappingNode else {
                        throw fail(mappingNode, "'only' must map paths to a glob or a list of globs (or be a list of such mappings)")
                    }
                    let context = mappings.count > 1 || value.sequence != nil ? "only[\(n)]" : "only"
                    var conditions: [LineSelection.Condition] = []
                    for (pathNode, patterns) in only {
                        guard let text = Self.string(pathNode) else { throw fail(pathNode, "a path must be a string") }
                        let globs = try Self.strings(patterns, what: "a glob", in: "\(context).\(text)", file: file).map(\.0)
                        conditions.append(.init(path: try Self.path(text, pathNode, file: file), patterns: globs))
                    }
                    alternatives.append(conditions)
                }
            case "ts_formats":
                formats = []
                for (text, node) in try Self.strings(value, what: "a format", in: "ts_formats", file: file) {
                    guard let format = TimestampFormat(rawValue: text) else {
                        throw fail(node, "ts_formats: unknown format '\(text)' (the formats are "
                            + TimestampFormat.allCases.map(\.rawValue).joined(separator: ", ") + ")")
                    }
                    formats.insert(format)
                }
                guard !formats.isEmpty else { throw fail(value, "ts_formats lists no format") }
            case _ where Rules.topLevelKeys.contains(key):
                hasRules = true
            default:
                throw fail(keyNode, "unknown key '\(key)' (expected one of "
                    + (Self.profileKeys.union(Rules.topLevelKeys)).sorted().joined(separator: ", ") + ")")
            }
        }
        var rules = Rules.standard
        if hasRules {
            let document = (root.any as? [String: Any] ?? [:]).filter { Rules.topLevelKeys.contains($0.key) }
            do {
                rules = try Rules(document: document)
            } catch let error as RulesError {
                throw ProfileError(file: file, line: Self.locate(error, in: map)?.line, message: error.description)
            } catch {
                throw ProfileError(file: file, line: nil, message: "\(error)")
            }
        }
        self.init(
            name: name, summary: summary, rules: rules, mapping: FieldMapping(paths: paths),
            selection: LineSelection(alternatives: alternatives), source: source, timestampFormats: formats)
    }

    /// The profile as YAML that ``init(yaml:file:)`` loads back to an equal profile.
    public var yaml: String {
        var out = "# task-ledger profile. Load with --profile FILE.\n"
        out += "name: \(Self.quoted(name))\n"
        out += "description: \(Self.quoted(summary))\n"
        if let source { out += "source: \(Self.quoted(source))\n" }
        out += "fields:\n"
        for field in FieldMapping.Field.allCases {
            out += "  \(field): [" + mapping.keys(for: field).map(Self.quoted).joined(separator: ", ") + "]\n"
        }
        if selection.alternatives.count == 1 {
            out += "only:\n"
            for condition in selection.alternatives[0] {
                let globs = condition.patterns.map(Self.quoted).joined(separator: ", ")
                out += "  \(Self.quoted(condition.path.description)): [\(globs)]\n"
            }
        } else if !selection.isEverything {
            out += "only:\n"
            for alternative in selection.alternatives {
                for (n, condition) in alternative.enumerated() {
                    let globs = condition.patterns.map(Self.quoted).joined(separator: ", ")
                    out += (n == 0 ? "  - " : "    ") + "\(Self.quoted(condition.path.description)): [\(globs)]\n"
                }
            }
        }
        if timestampFormats != [.rfc3339] {
            out += "ts_formats: [" + TimestampFormat.allCases.filter(timestampFormats.contains).map(\.rawValue).joined(separator: ", ") + "]\n"
        }
        // The rules in their own format, without its header comment.
        out += rules.yaml.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
            .joined(separator: "\n")
        return out
    }

    /// Always double-quoted, so that any text (`*`, `yes`, `1.5`, `a: b`) stays a string.
    package static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\x" + String(scalar.value, radix: 16).leftPadded(2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A scalar's text when YAML reads it as a string (plain or quoted), else nil.
    private static func string(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node, node.tag.rawValue == Tag.Name.str.rawValue else { return nil }
        return scalar.string
    }

    /// A string, or a list of strings, each with its node.
    private static func strings(
        _ node: Node, what: String, in context: String, file: String
    ) throws(ProfileError) -> [(String, Node)] {
        let items: [Node]
        if case .sequence(let sequence) = node { items = Array(sequence) } else { items = [node] }
        return try items.map { (item) throws(ProfileError) in
            guard let text = string(item) else {
                let found = describe(item)
                throw ProfileError(
                    file: file, line: item.mark?.line,
                    message: "\(context): \(what) must be a string, found \(found)")
            }
            return (text, item)
        }
    }

    private static func path(_ text: String, _ node: Node, file: String) throws(ProfileError) -> FieldPath {
        do {
            return try FieldPath(parsing: text)
        } catch {
            throw ProfileError(file: file, line: node.mark?.line, message: error.description)
        }
    }

    private static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            let kind = node.tag.rawValue == Tag.Name.int.rawValue ? "a number" : node.tag.rawValue == Tag.Name.float.rawValue ? "a number"
                : node.tag.rawValue == Tag.Name.bool.rawValue ? "a boolean" : node.tag.rawValue == Tag.Name.null.rawValue ? "null" : "a scalar"
            return "\(kind) (\(scalar.string))"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// Where in the YAML a rules mistake is: the first scalar naming its subject, in the
    /// section it concerns.
    private static func locate(_ error: RulesError, in map: Node.Mapping) -> Mark? {
        func section(_ key: String) -> Node? { map.first { $0.key.string == key }?.value }
        func sectionKey(_ key: String) -> Mark? { map.first { $0.key.string == key }?.key.mark }
        func find(_ sections: [String], _ matches: (String) -> Bool) -> Mark? {
            for name in sections {
                if let node = section(name), let mark = firstScalar(in: node, matches) { return mark }
            }
            return nil
        }
        switch error {
        case .unknownState(let state, let context):
            let name =
                context.hasPrefix("transitions") ? "transitions"
                : context.hasPrefix("alias") ? "aliases" : context.hasPrefix("echoes") ? "echoes" : context
            return find([name]) { $0 == state }
        case .terminalHasTransitions(let state):
            return find(["transitions"]) { $0 == state }
        case .echoOfOpenState(let state):
            return find(["echoes"]) { $0 == state }
        case .notNormalised(let state, _), .duplicateState(let state):
            return find(["terminal", "states"]) { $0 == state } ?? find(["states"]) { $0 == state }
        case .emptyState:
            return find(["states", "terminal"]) { Rules.normalForm($0).isEmpty }
        case .aliasShadowsState(let alias), .emptyAlias(let alias):
            return find(["aliases"]) { $0 == alias }
        case .conflictingAliases(let key, _, _):
            return find(["aliases"]) { Rules.normalForm($0) == key }
        case .noInitialState:
            return sectionKey("initial") ?? map.first?.key.mark
        case .invalid(let message):
            let named = Rules.topLevelKeys.first { message.hasPrefix("'\($0)'") || message.hasPrefix("\($0).") }
            return named.flatMap(sectionKey) ?? map.first?.key.mark
        }
    }

    private static func firstScalar(in node: Node, _ matches: (String) -> Bool) -> Mark? {
        switch node {
        case .scalar(let scalar): return matches(scalar.string) ? node.mark : nil
        case .sequence(let sequence):
            for item in sequence { if let mark = firstScalar(in: item, matches) { return mark } }
        case .mapping(let mapping):
            for (key, value) in mapping {
                if let mark = firstScalar(in: key, matches) ?? firstScalar(in: value, matches) { return mark }
            }
        case .alias: return nil
        }
        return nil
    }
}
