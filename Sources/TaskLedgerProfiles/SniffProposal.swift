import TaskLedgerCore
import TaskLedgerDecoding

extension LogSniffer {
    /// The state key: a low-cardinality string that changes between a task's lines. When another
    /// state-named key is present exactly on the lines where the state key has one value
    /// (GitHub's `conclusion`, set once `action` is `completed`), it refines that value and
    /// comes first.
    package func stateProposal(_ stats: [SniffReport.KeyStats], task: FieldPath, objects: Int) -> [FieldPath] {
        let names: Set<String> = [
            "state", "status", "phase", "type", "action", "event", "event_type", "conclusion", "kind", "outcome",
        ]
        let labels = stats.filter { key in
            key.path != task && key.types["string"] == key.present && (2...50).contains(key.distinct)
                && key.timestamps * 2 < key.present
        }
        func score(_ key: SniffReport.KeyStats) -> Int { Self.nameScore(key.path, names: names) }
        let primary = labels.filter { $0.present * 10 >= objects * 3 && varies($0.path, within: task) }
            .max { (score($0), $0.present, $1.path.description) < (score($1), $1.present, $0.path.description) }
        guard let primary else { return [] }
        let refinements = labels.filter { key in
            // Named like a state too: a key present only on one kind of line is common (Celery's
            // `queue` is on task-sent only) and says nothing about the state.
            guard key.path != primary.path, score(key) == 3, key.present * 20 >= objects else { return false }
            var primaryValues: [String: Int] = [:]
            for line in flattened where line[key.path].map({ $0.kind != .null }) == true {
                primaryValues[line[primary.path]?.text ?? "", default: 0] += 1
            }
            guard primaryValues.count == 1, let value = primaryValues.keys.first, !value.isEmpty else { return false }
            let linesWithValue = flattened.filter { $0[primary.path]?.text == value }.count
            return key.present * 10 >= linesWithValue * 8
        }
        let refinement = refinements.max { (score($0), $0.present) < (score($1), $1.present) }
        return (refinement.map { [$0.path] } ?? []) + [primary.path]
    }

    /// Whether `path` takes different values among one task's lines, for most tasks with two.
    private func varies(_ path: FieldPath, within task: FieldPath) -> Bool {
        var seen: [String: (lines: Int, values: Set<String>)] = [:]
        for line in flattened {
            guard let id = line[task], id.kind != .null, let value = line[path], value.kind == .string else { continue }
            seen[id.text, default: (0, [])].lines += 1
            seen[id.text, default: (0, [])].values.insert(value.text)
        }
        let withTwo = seen.values.filter { $0.lines >= 2 }
        let changing = withTwo.filter { $0.values.count >= 2 }.count
        return changing > 0 && changing * 2 >= withTwo.count
    }

    /// The ts key: the best-named, best-filled timestamp; before it, sibling timestamps that are
    /// never earlier than it and filled less (lifecycle times such as `completed_at`, set later).
    package func timestampProposal(_ stats: [SniffReport.KeyStats], objects: Int) -> [FieldPath] {
        let names: Set<String> = ["ts", "timestamp", "time", "@timestamp", "datetime", "date", "event_time"]
        let hints = ["time", "date"], suffixes = ["_at", "_ts"]
        let times = stats.filter { $0.present * 5 >= objects && $0.timestamps * 100 >= $0.present * 95 }
        func score(_ key: SniffReport.KeyStats) -> Int {
            Self.nameScore(key.path, names: names, hints: hints, suffixes: suffixes)
        }
        let primary = times.max { a, b in
            (score(a), a.present, -a.path.segments.count, b.path.description)
                < (score(b), b.present, -b.path.segments.count, a.path.description)
        }
        guard let primary else { return [] }
        let parent = primary.path.segments.dropLast()
        let later = times.filter { key in
            key.path != primary.path && key.path.segments.dropLast() == parent && score(key) > 0
                && key.present <= primary.present && isNeverEarlier(key.path, than: primary.path)
        }.sorted { ($0.present, $1.path.description) < ($1.present, $0.path.description) }
        return later.map(\.path) + [primary.path]
    }

    /// `a` ≥ `b` on every line holding both, and > on at least one.
    private func isNeverEarlier(_ a: FieldPath, than b: FieldPath) -> Bool {
        var later = false
        for line in flattened {
            guard let x = line[a]?.timestamp, let y = line[b]?.timestamp else { continue }
            if x < y { return false }
            if x > y { later = true }
        }
        return later
    }

    /// Lines without a task key are left out: by a label that tells them apart (Celery's
    /// `type`: `task-*` vs `worker-*`), else by the task key being present.
    package func selection(task: FieldPath, stats: [SniffReport.KeyStats]) -> LineSelection {
        for key in stats where key.present == flattened.count && key.types["string"] == key.present && key.distinct <= 50 {
            var with = Set<String>(), without = Set<String>()
            for line in flattened {
                guard let value = line[key.path]?.text else { continue }
                if line[task].map({ $0.kind != .null }) == true { with.insert(value) } else { without.insert(value) }
            }
            guard !with.isEmpty, with.isDisjoint(with: without) else { continue }
            let prefix = Self.commonPrefix(with.sorted())
            if let cut = prefix.lastIndex(where: { "-_.:/".contains($0) }) {
                let stem = String(prefix[...cut])
                if !without.contains(where: { $0.hasPrefix(stem) }) {
                    return LineSelection([.init(path: key.path, patterns: [stem + "*"])])
                }
            }
            return LineSelection([.init(path: key.path, patterns: with.sorted())])
        }
        return LineSelection([.init(path: task, patterns: ["*"])])
    }

    private static func commonPrefix(_ texts: [String]) -> String {
        guard var prefix = texts.first else { return "" }
        for text in texts.dropFirst() {
            while !text.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}

/// The lifecycle a sample follows, read through the proposed profile's decoder: states, the
/// directly-follows relation per task, and rules allowing exactly what was observed.
package struct Lifecycle {
    private(set) var stateCounts: [(state: String, count: Int)] = []
    private(set) var transitionCounts: [(from: String, to: String, count: Int)] = []
    private var order: [String] = []
    private var firsts = Set<String>()
    private var edges: [String: [String: Int]] = [:]

    package init(samples: [[UInt8]], decoder: EventDecoder) {
        var counts: [String: Int] = [:]
        var last: [String: String] = [:]
        var seen = Set<String>()
        for sample in samples {
            guard case .event(let event) = sample.withUnsafeBytes(decoder.read) else { continue }
            let state = Rules.normalForm(event.state)
            guard !state.isEmpty else { continue }
            // The importer drops duplicates before judging: so must the transitions.
            let identity = event.id.map { "id\u{0}\($0)" }
                ?? [event.task, state, String(event.timestamp), event.actor, event.source, event.stage, event.detail]
                .joined(separator: "\u{0}")
            guard seen.insert(identity).inserted else { continue }
            if counts[state] == nil { order.append(state) }
            counts[state, default: 0] += 1
            if let previous = last[event.task] {
                if previous != state { edges[previous, default: [:]][state, default: 0] += 1 }
            } else {
                firsts.insert(state)
            }
            last[event.task] = state
        }
        stateCounts = order.map { ($0, counts[$0]!) }.sorted { ($0.count, $1.state) > ($1.count, $0.state) }
        for from in order {
            for to in order { if let n = edges[from]?[to] { transitionCounts.append((from, to, n)) } }
        }
    }

    /// States never followed by another are terminal; every observed transition is allowed.
    package func rules() -> Rules? {
        guard !order.isEmpty else { return nil }
        let open = order.filter { edges[$0] != nil }
        let transitions = edges.mapValues { targets in order.filter { targets[$0] != nil } }
        return try? Rules(
            openStates: open, terminalStates: order.filter { edges[$0] == nil }, aliases: [:],
            initial: order.filter(firsts.contains), transitions: transitions)
    }
}
