/// The lifecycle rules: canonical states, aliases, the initial set, allowed transitions,
/// terminal states and stale thresholds (SPEC §3). Defaults built in; a YAML file replaces them.
public struct Rules: Sendable, Equatable {
    /// Non-terminal canonical states, in display order.
    public private(set) var openStates: [String]
    /// Terminal canonical states, in display order. Terminal states allow no transition.
    public private(set) var terminalStates: [String]
    /// Normalised alias → canonical state.
    public private(set) var aliases: [String: String]
    /// States a task's first applied event may have.
    public private(set) var initial: Set<String>
    /// Allowed next states for each non-terminal state (a state may always repeat itself).
    public private(set) var transitions: [String: Set<String>]
    /// Stale threshold in ms for states without their own entry.
    public private(set) var defaultStaleAfter: Int64
    /// Per-state stale thresholds in ms.
    public private(set) var staleAfter: [String: Int64]
    /// What a task's first event may be when it is not an initial state (its earlier events are
    /// outside the log): refused as `illegal_transition` (SPEC §4, the default) or accepted as
    /// the start of a *partial* task.
    public let partial: PartialObservation
    /// Terminal state → the states a system may report again after a task ended in it (Celery
    /// sends `task-failed` twice for a task over its hard time limit): such an event is
    /// `applied` and changes nothing; anything else after the end is `after_terminal`.
    public private(set) var echoes: [String: Set<String>]
    /// How far (ms) an event may lie before the task's latest applied time and still be
    /// `applied` rather than `out_of_order`: the clock skew between a system's processes.
    public let clockSkew: Int64

    private let terminalSet: Set<String>
    private let canonicalSet: Set<String>
    /// The hot path judges by state number (position in ``states``) instead of hashing strings:
    /// see ``StateTable``.
    /// A `let`, not a `var`: reading it from the hot path then copies nothing (measured).
    package let stateTable: StateTable

    /// Builds rules after checking that they are coherent; throws ``RulesError`` otherwise.
    public init(
        openStates: [String], terminalStates: [String], aliases: [String: String],
        initial: [String], transitions: [String: [String]],
        defaultStaleAfter: Int64 = 15 * 60_000, staleAfter: [String: Int64] = [:],
        partial: PartialObservation = .reject, echoes: [String: [String]] = [:], clockSkew: Int64 = 0
    ) throws {
        let all = openStates + terminalStates
        var seen = Set<String>()
        for state in all {
            guard !state.isEmpty else { throw RulesError.emptyState }
            guard Rules.normalForm(state) == state else {
                throw RulesError.notNormalised(state, Rules.normalForm(state))
            }
            guard seen.insert(state).inserted else { throw RulesError.duplicateState(state) }
        }
        func known(_ state: String, _ context: String) throws {
            guard seen.contains(state) else { throw RulesError.unknownState(state, context) }
        }
        var normalisedAliases: [String: String] = [:]
        for (alias, target) in aliases {
            try known(target, "alias \(alias)")
            let key = Rules.normalForm(alias)
            guard !key.isEmpty else { throw RulesError.emptyAlias(alias) }
            guard !seen.contains(key) else { throw RulesError.aliasShadowsState(alias) }
            if let other = normalisedAliases[key], other != target {
                throw RulesError.conflictingAliases(key, other, target)
            }
            normalisedAliases[key] = target
        }
        guard !initial.isEmpty else { throw RulesError.noInitialState }
        for state in initial { try known(state, "initial") }
        var table: [String: Set<String>] = [:]
        for (from, targets) in transitions {
            try known(from, "transitions")
            guard !terminalStates.contains(from) else { throw RulesError.terminalHasTransitions(from) }
            for to in targets { try known(to, "transitions of \(from)") }
            // `X: []` and no entry mean the same; store one form so that equal rules compare equal.
            if !targets.isEmpty { table[from] = Set(targets) }
        }
        for state in staleAfter.keys { try known(state, "stale") }
        var echoTable: [String: Set<String>] = [:]
        for (end, repeats) in echoes {
            try known(end, "echoes")
            guard terminalStates.contains(end) else { throw RulesError.echoOfOpenState(end) }
            for state in repeats { try known(state, "echoes of \(end)") }
            if !repeats.isEmpty { echoTable[end] = Set(repeats) }
        }
        guard clockSkew >= 0 else { throw RulesError.invalid("clock_skew must not be negative") }
        self.openStates = openStates
        self.terminalStates = terminalStates
        self.aliases = normalisedAliases
        self.initial = Set(initial)
        self.transitions = table
        self.defaultStaleAfter = defaultStaleAfter
        self.staleAfter = staleAfter
        self.partial = partial
        self.echoes = echoTable
        self.clockSkew = clockSkew
        self.terminalSet = Set(terminalStates)
        self.canonicalSet = seen
        self.stateTable = StateTable(
            states: all, terminal: Set(terminalStates), initial: Set(initial), transitions: table,
            aliases: normalisedAliases, echoes: echoTable, acceptsPartial: partial == .accept, clockSkew: clockSkew)
    }

    /// These rules with another ``partial`` choice (what `--partial` does).
    public func with(partial: PartialObservation) -> Rules {
        guard partial != self.partial else { return self }
        do {
            return try Rules(
                openStates: openStates, terminalStates: terminalStates, aliases: aliases,
                initial: states.filter(initial.contains), transitions: transitions.mapValues { Array($0) },
                defaultStaleAfter: defaultStaleAfter, staleAfter: staleAfter, partial: partial,
                echoes: echoes.mapValues { Array($0) }, clockSkew: clockSkew)
        } catch {
            preconditionFailure("rules that loaded no longer load with partial: \(partial): \(error)")
        }
    }

    /// All canonical states: open ones first, then terminal ones.
    public var states: [String] { openStates + terminalStates }

    /// Whether the canonical `state` is terminal: a task there accepts no further event.
    public func isTerminal(_ state: String) -> Bool { terminalSet.contains(state) }

    /// The canonical state for a producer's string, or nil if the rules do not know it.
    /// Trimmed, upper-cased (ASCII), `-` and spaces become `_`, then aliases apply.
    public func canonicalState(_ raw: String) -> String? {
        if canonicalSet.contains(raw) { return raw }
        let normal = Rules.normalForm(raw)
        if canonicalSet.contains(normal) { return normal }
        return aliases[normal]
    }

    /// Whether `to` may follow `from` (a non-terminal state may repeat itself: a heartbeat; a
    /// terminal state allows only its ``echoes``).
    public func allows(from: String, to: String) -> Bool {
        if isTerminal(from) { return echoes[from]?.contains(to) == true }
        return from == to || transitions[from]?.contains(to) == true
    }

    /// Whether a task whose first applied event is in `state` is *partial*: first seen
    /// mid-lifecycle, its earlier events outside the log.
    public func isPartialStart(_ state: String) -> Bool { !initial.contains(state) }

    /// The stale threshold for a task in `state`, in ms.
    public func staleThreshold(for state: String) -> Int64 {
        staleAfter[state] ?? defaultStaleAfter
    }

    /// ASCII-only normalisation of SPEC §3, without aliases.
    public static func normalForm(_ raw: String) -> String {
        var bytes = Array(raw.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x09 || last == 0x0A || last == 0x0D {
            bytes.removeLast()
        }
        var start = 0
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count - start)
        for byte in bytes[start...] {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): out.append(byte - 32)
            case UInt8(ascii: "-"), UInt8(ascii: " "): out.append(UInt8(ascii: "_"))
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why a rules file (or a profile's rules) was refused: thrown by ``Rules/init(openStates:terminalStates:aliases:initial:transitions:defaultStaleAfter:staleAfter:)``
/// and ``Rules/init(yaml:)``. Each message names the state or key at fault and how to fix it.
public enum RulesError: Error, Equatable, CustomStringConvertible {
    /// A state name is the empty string; give every state a name.
    case emptyState
    /// A state (first value) is not written as normalisation would write it; the message gives
    /// the normal form (second value) to write instead (`in-progress` → `IN_PROGRESS`).
    case notNormalised(String, String)
    /// A state is listed twice, within `states` or `terminal` or in both; list it once.
    case duplicateState(String)
    /// A state (first value) is used in an alias, `initial`, `transitions` or `stale` (the
    /// context, second value) without being listed; add it under `states` or `terminal`.
    case unknownState(String, String)
    /// An alias normalises to a state's own name, so it would never apply; remove it.
    case aliasShadowsState(String)
    /// An alias is empty after trimming; an empty state is always `unknown_state`, so remove it.
    case emptyAlias(String)
    /// Aliases that normalise to the same key (first value) name two different states (second
    /// and third); keep one of them.
    case conflictingAliases(String, String, String)
    /// `initial` lists no state, so no task could ever start; list the states a task begins in.
    case noInitialState
    /// A terminal state has an entry under `transitions`; terminal states allow none, so
    /// remove the entry or move the state under `states`.
    case terminalHasTransitions(String)
    /// A state under `echoes` is not terminal; `echoes` lists what may follow a task's end
    /// (an open state's successors go under `transitions`).
    case echoOfOpenState(String)
    /// The YAML is not valid or not shaped as a rules file (a missing `states`, an unknown key,
    /// a duration that does not parse); the message says which and what is expected.
    case invalid(String)

    /// One line for people, naming what is wrong and what to write instead.
    public var description: String {
        switch self {
        case .emptyState: "a state name is empty"
        case .notNormalised(let s, let n): "state '\(s)' is not in normal form: write it as '\(n)'"
        case .duplicateState(let s): "state '\(s)' is listed twice (states and terminal must not overlap)"
        case .unknownState(let s, let ctx): "unknown state '\(s)' in \(ctx): list it under states or terminal"
        case .aliasShadowsState(let a): "alias '\(a)' is itself a state name"
        case .emptyAlias(let a): "alias '\(a)' is empty after trimming: an empty state is always unknown"
        case .conflictingAliases(let key, let a, let b):
            "aliases written as '\(key)' map to both \(a) and \(b): keep one"
        case .noInitialState: "initial lists no state: a task could never start"
        case .terminalHasTransitions(let s): "terminal state '\(s)' has outgoing transitions: terminal states allow none (list repeats a system sends after the end under echoes)"
        case .echoOfOpenState(let s): "echoes lists '\(s)', which is not terminal: echoes are what may follow a task's end; list an open state's successors under transitions"
        case .invalid(let why): why
        }
    }
}

/// How a task first seen mid-lifecycle is judged: a log that is one window of a longer stream,
/// webhooks subscribed mid-run, a lost delivery.
public enum PartialObservation: String, Sendable, Equatable, CaseIterable {
    /// SPEC §4: until a task has an applied event, its next event must be an initial state;
    /// otherwise it is `illegal_transition` ("… is not an initial state").
    case reject
    /// A first event in any known state is `applied` and starts a *partial* task: its snapshot
    /// says so, reports count and mark it, and its duration is left out (its start is unknown).
    case accept
}
