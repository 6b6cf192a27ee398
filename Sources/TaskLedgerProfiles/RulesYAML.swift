import Yams
import TaskLedgerCore
import TaskLedgerDecoding

/// The rules file format (SPEC §3), the same one `task-ledger rules` prints:
///
/// ```yaml
/// states: [RECEIVED, QUEUED, RUNNING, WAITING, RETRYING]
/// terminal: [SUCCEEDED, FAILED, CANCELLED, TIMED_OUT]
/// initial: [RECEIVED, QUEUED]
/// transitions:
///   RECEIVED: [QUEUED, RUNNING, CANCELLED, FAILED]
/// aliases:
///   DONE: SUCCEEDED
/// stale:
///   default: 15m
///   RUNNING: 1h
/// partial: reject        # or accept: a task first seen mid-lifecycle (default reject, SPEC §4)
/// echoes:                # what a system may report again after a task ended (default none)
///   FAILED: [FAILED]
/// clock_skew: 0s         # an event this much before the task's latest is still in order
/// ```
extension Rules {
    package static let topLevelKeys: Set<String> = [
        "states", "terminal", "initial", "transitions", "aliases", "stale", "partial", "echoes", "clock_skew",
    ]

    /// Loads rules from YAML text; throws ``RulesError`` naming what is wrong.
    public init(yaml: String) throws {
        let root: Any?
        do {
            root = try Yams.load(yaml: yaml)
        } catch {
            throw RulesError.invalid("not valid YAML: \(error)")
        }
        guard let map = root as? [String: Any] else {
            throw RulesError.invalid("the rules file must be a mapping with keys \(Rules.topLevelKeys.sorted().joined(separator: ", "))")
        }
        try self.init(document: map)
    }

    /// Loads rules from a parsed YAML mapping (a rules file, or the rules keys of a profile).
    package init(document map: [String: Any]) throws {
        for key in map.keys where !Rules.topLevelKeys.contains(key) {
            throw RulesError.invalid("unknown key '\(key)' (expected one of \(Rules.topLevelKeys.sorted().joined(separator: ", ")))")
        }
        func list(_ value: Any?, _ name: String) throws -> [String] {
            guard let value else { return [] }
            guard let items = value as? [Any] else { throw RulesError.invalid("'\(name)' must be a list of state names") }
            return try items.map {
                guard let s = Rules.scalar($0) else { throw RulesError.invalid("'\(name)' must contain state names, found \($0)") }
                return s
            }
        }
        func mapping(_ value: Any?, _ name: String) throws -> [String: Any] {
            guard let value else { return [:] }
            guard let m = value as? [String: Any] else { throw RulesError.invalid("'\(name)' must be a mapping") }
            return m
        }
        guard map["states"] != nil else { throw RulesError.invalid("'states' is required: the non-terminal states") }
        guard map["terminal"] != nil else { throw RulesError.invalid("'terminal' is required: the terminal states") }
        let open = try list(map["states"], "states")
        let terminal = try list(map["terminal"], "terminal")
        let initial = try list(map["initial"], "initial")
        var transitions: [String: [String]] = [:]
        for (from, targets) in try mapping(map["transitions"], "transitions") {
            transitions[from] = try list(targets, "transitions.\(from)")
        }
        var aliases: [String: String] = [:]
        for (alias, target) in try mapping(map["aliases"], "aliases") {
            guard let t = Rules.scalar(target) else { throw RulesError.invalid("alias '\(alias)' must map to one state name") }
            aliases[alias] = t
        }
        var defaultStale: Int64 = 15 * 60_000
        var stale: [String: Int64] = [:]
        for (state, value) in try mapping(map["stale"], "stale") {
            guard let text = Rules.scalar(value), let ms = DurationText.parse(text) else {
                throw RulesError.invalid("stale.\(state): '\(value)' is not a duration like 90s, 15m, 2h, 1d")
            }
            if state == "default" { defaultStale = ms } else { stale[state] = ms }
        }
        var partial = PartialObservation.reject
        if let value = map["partial"] {
            guard let text = value as? String, let policy = PartialObservation(rawValue: text) else {
                throw RulesError.invalid("'partial' must be reject or accept, found \(value)")
            }
            partial = policy
        }
        var echoes: [String: [String]] = [:]
        for (end, repeats) in try mapping(map["echoes"], "echoes") {
            echoes[end] = try list(repeats, "echoes.\(end)")
        }
        var clockSkew: Int64 = 0
        if let value = map["clock_skew"] {
            guard let text = Rules.scalar(value), let ms = DurationText.parse(text) else {
                throw RulesError.invalid("'clock_skew': '\(value)' is not a duration like 50ms, 1s, 2m")
            }
            clockSkew = ms
        }
        try self.init(
            openStates: open, terminalStates: terminal, aliases: aliases, initial: initial,
            transitions: transitions, defaultStaleAfter: defaultStale, staleAfter: stale,
            partial: partial, echoes: echoes, clockSkew: clockSkew)
    }

    private static func scalar(_ value: Any) -> String? {
        switch value {
        case let s as String: s
        case let i as Int: String(i)
        default: nil
        }
    }

    /// The rules as YAML that ``init(yaml:)`` loads back to equal rules. Stable order.
    public var yaml: String {
        func list(_ items: [String]) -> String { "[" + items.map(Rules.quoted).joined(separator: ", ") + "]" }
        var out = "# task-ledger rules (SPEC §3). Load with --rules FILE.\n"
        out += "states: \(list(openStates))\n"
        out += "terminal: \(list(terminalStates))\n"
        out += "initial: \(list(states.filter { initial.contains($0) }))\n"
        // `transitions:` alone would read back as null (rules with terminal states only).
        out += openStates.isEmpty ? "transitions: {}\n" : "transitions:\n"
        for state in openStates {
            let targets = states.filter { transitions[state]?.contains($0) == true }
            out += "  \(Rules.quoted(state)): \(list(targets))\n"
        }
        // `aliases:` alone would read back as null, not as an empty mapping.
        out += aliases.isEmpty ? "aliases: {}\n" : "aliases:\n"
        for state in states {
            for alias in aliases.keys.sorted() where aliases[alias] == state {
                out += "  \(Rules.quoted(alias)): \(Rules.quoted(state))\n"
            }
        }
        out += "stale:\n  default: \(DurationText.format(defaultStaleAfter))\n"
        for state in states {
            if let ms = staleAfter[state] { out += "  \(Rules.quoted(state)): \(DurationText.format(ms))\n" }
        }
        out += "# a task first seen mid-lifecycle: reject (illegal_transition) or accept (applied, marked partial)\n"
        out += "partial: \(partial.rawValue)\n"
        out += "# what a system may report again after a task ended: applied, changing nothing\n"
        out += echoes.isEmpty ? "echoes: {}\n" : "echoes:\n"
        for state in terminalStates {
            if let repeats = echoes[state] { out += "  \(Rules.quoted(state)): \(list(states.filter(repeats.contains)))\n" }
        }
        out += "# an event this much before the task's latest is still in order, not out_of_order\n"
        out += "clock_skew: \(DurationText.format(clockSkew))\n"
        return out
    }

    /// Plain scalars where YAML reads them back as the same string, double quotes otherwise.
    private static func quoted(_ s: String) -> String {
        let plain = s.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        let reserved: Set<String> = ["Y", "N", "YES", "NO", "ON", "OFF", "TRUE", "FALSE", "NULL", "OK"]
        if plain, !s.isEmpty, !reserved.contains(s), !(s.first!.isNumber) { return s }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += "\\x" + String(scalar.value, radix: 16).leftPadded(2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
