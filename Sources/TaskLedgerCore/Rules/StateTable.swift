/// The rules as numbers, for the import's hot path: canonical states are numbered by their
/// position in ``Rules/states`` and judged through flat tables, so that judging an event hashes
/// no string (the string sets of ``Rules`` cost four to five hashes per event). A class: the
/// hot path reads it through ``Rules`` once per event, and a reference is all that is copied.
package final class StateTable: Sendable, Equatable {
    package static func == (a: StateTable, b: StateTable) -> Bool {
        a.names == b.names && a.numbers == b.numbers && a.allowed == b.allowed && a.terminal == b.terminal
            && a.initial == b.initial && a.acceptsPartial == b.acceptsPartial && a.clockSkew == b.clockSkew
    }

    /// Canonical state names by number.
    package let names: [String]
    /// Canonical names and normalised aliases → state number.
    private let numbers: [String: Int]
    private let allowed: [Bool]  // [from * names.count + to], a state may repeat itself
    private let terminal: [Bool]
    private let initial: [Bool]
    /// A first event that is not initial: refused, or the start of a partial task.
    package let acceptsPartial: Bool
    /// Milliseconds an event may lie before the task's latest and still be in order.
    package let clockSkew: Int64

    package init(
        states: [String], terminal: Set<String>, initial: Set<String>, transitions: [String: Set<String>],
        aliases: [String: String], echoes: [String: Set<String>] = [:], acceptsPartial: Bool = false, clockSkew: Int64 = 0
    ) {
        self.acceptsPartial = acceptsPartial
        self.clockSkew = clockSkew
        names = states
        var numbers: [String: Int] = [:]
        for (n, state) in states.enumerated() { numbers[state] = n }
        for (alias, target) in aliases { numbers[alias] = numbers[target] }
        self.numbers = numbers
        let count = states.count
        var allowed = [Bool](repeating: false, count: count * count)
        for (from, state) in states.enumerated() where !terminal.contains(state) {
            allowed[from * count + from] = true
            for to in transitions[state] ?? [] { allowed[from * count + numbers[to]!] = true }
        }
        // A terminal state allows only its echoes: accepted, changing nothing (see Snapshot.apply).
        for (from, state) in states.enumerated() where terminal.contains(state) {
            for to in echoes[state] ?? [] { allowed[from * count + numbers[to]!] = true }
        }
        self.allowed = allowed
        self.terminal = states.map(terminal.contains)
        self.initial = states.map(initial.contains)
    }

    /// The number of a producer's state string after SPEC §3 normalisation and aliases, nil if
    /// the rules do not know it. Canonical names and alias keys are in normal form, so a string
    /// found as it is needs no normalising.
    package func number(of raw: String) -> Int? {
        if let n = numbers[raw] { return n }
        return numbers[Rules.normalForm(raw)]
    }

    /// The number of a canonical state as stored in a snapshot, nil if these rules do not list
    /// it (a ledger written under other rules): such a state is open and allows no transition.
    package func number(ofCanonical state: String) -> Int? {
        guard let n = numbers[state], names[n] == state else { return nil }
        return n
    }

    package func isTerminal(_ state: Int?) -> Bool { state.map { terminal[$0] } ?? false }

    /// Whether a task whose first applied event is in `state` starts partial (not initial).
    package func isPartialStart(_ state: Int) -> Bool { !initial[state] }

    /// The verdict of SPEC §4 for an event in state `to` (nil: unknown) at `timestamp`, for a task
    /// whose snapshot is in state `from` (nil: a state these rules do not list) with latest
    /// applied time `lastTimestamp`, or that has no snapshot (`hasSnapshot` false).
    package func judge(to: Int?, timestamp: Int64, hasSnapshot: Bool, from: Int?, lastTimestamp: Int64, isDuplicate: Bool) -> Verdict {
        if isDuplicate { return .duplicate }
        guard let to else { return .unknownState }
        guard hasSnapshot else { return initial[to] || acceptsPartial ? .applied : .illegalTransition }
        guard let from else { return .illegalTransition }
        if terminal[from] { return allowed[from * names.count + to] ? .applied : .afterTerminal }
        guard allowed[from * names.count + to] else { return .illegalTransition }
        return timestamp < lastTimestamp.saturatingMinus(clockSkew) ? .outOfOrder : .applied
    }
}
