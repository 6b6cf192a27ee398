import TaskLedgerCore
import TaskLedgerDecoding

extension LogSniffer {
    /// Last names that say "this is the state" (score 3); names ending in one of
    /// ``stateSuffixes`` score 2 (dbt's `node_status`, GitLab's `build_status`; not
    /// `statuses_url`).
    static let stateNames: Set<String> = [
        "state", "status", "phase", "type", "action", "event", "event_type", "eventtype", "conclusion", "kind",
        "outcome", "reason",
    ]
    static let stateSuffixes = ["status", "state", "phase"]

    /// Values (in normal form) a producer writes for "no state": such lines are left out by the
    /// proposed `only:`.
    static let placeholders: Set<String> = ["NONE", "NULL", "NIL", "", "N/A", "UNDEFINED", "_"]

    static func stateScore(_ path: FieldPath) -> Int { nameScore(path, names: stateNames, suffixes: stateSuffixes) }

    /// The state key: a low-cardinality string that changes between a task's lines. Among the
    /// candidates, a state-like name wins first, then values that look like a lifecycle (tasks
    /// start in few values and end in few values), then the fill among the task's lines. When
    /// another state-named key is present exactly on the lines where the state key has one value
    /// (GitHub's `conclusion`, set once `action` is `completed`), it refines that value and
    /// comes first.
    package func stateProposal(_ stats: [SniffReport.KeyStats], task: FieldPath, objects: Int) -> [FieldPath] {
        let taskLines = flattened.filter { $0[task].map { $0.kind != .null } == true }
        let labels = stats.filter { key in
            key.path != task && key.types["string"] == key.present && (2...50).contains(key.distinct)
                && key.timestamps * 2 < key.present && !isNumeric(key.path)
        }
        func score(_ key: SniffReport.KeyStats) -> Int { Self.stateScore(key.path) }
        func fill(_ key: SniffReport.KeyStats) -> Int {
            taskLines.filter { $0[key.path].map { $0.kind == .string } == true }.count
        }
        // When no task has two lines (one webhook per job, a snapshot), nothing can vary.
        let single = Set(taskLines.map { $0[task]!.text }).count == taskLines.count
        let ranked = labels.filter { fill($0) * 10 >= taskLines.count * 3 && (single || varies($0.path, within: task)) }
            .map { (key: $0, score: score($0), lifecycle: looksLikeLifecycle($0.path, within: task), fill: fill($0)) }
        // Without any task's progression to go by, the name alone: `phase` over Argo's `type`.
        func named(_ key: SniffReport.KeyStats) -> Int {
            single && Self.nameScore(key.path, names: ["state", "status", "phase"], suffixes: Self.stateSuffixes) > 0 ? 1 : 0
        }
        // A key sharing the task key's stem beside it wins first (GitLab's `build_status` for
        // `build_id`, not `commit.status`).
        func stem(_ path: FieldPath) -> String? {
            guard let name = path.segments.last?.lowercased(), let cut = name.firstIndex(of: "_") else { return nil }
            return String(name[...cut])
        }
        let taskStem = task.template == nil ? stem(task) : nil
        func sharesStem(_ key: SniffReport.KeyStats) -> Int {
            guard let taskStem, key.path.segments.dropLast() == task.segments.dropLast() else { return 0 }
            return stem(key.path) == taskStem ? 1 : 0
        }
        let primary = ranked.max { a, b in
            (sharesStem(a.key), a.score, named(a.key), a.lifecycle ? 1 : 0, a.fill, b.key.path.description)
                < (sharesStem(b.key), b.score, named(b.key), b.lifecycle ? 1 : 0, b.fill, a.key.path.description)
        }?.key
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

    /// The state of a history file (one execution per file, no task key): the event-type key,
    /// a string on (nearly) every line; a state-like name first, then the most filled.
    package func historyStateProposal(_ stats: [SniffReport.KeyStats], objects: Int) -> [FieldPath] {
        let labels = stats.filter { key in
            key.types["string"] == key.present && key.present * 10 >= objects * 9 && (2...200).contains(key.distinct)
                && key.timestamps * 2 < key.present && !isNumeric(key.path) && Self.stateScore(key.path) >= 2
        }
        let best = labels.max { a, b in
            (Self.stateScore(a.path), a.present, b.path.description) < (Self.stateScore(b.path), b.present, a.path.description)
        }
        return best.map { [$0.path] } ?? []
    }

    /// A key whose every value is an integer counting 1, 2, 3… (or from 0) within each file of
    /// three lines or more, on every line: the event number of a history file (Temporal's `eventId`, Step Functions'
    /// `id`). Such a file holds one execution, so its events carry no task id.
    package func historyCounter(_ stats: [SniffReport.KeyStats]) -> FieldPath? {
        let objects = flattened.count
        guard objects >= 3 else { return nil }
        var linesPerFile: [Int: Int] = [:]
        for file in fileOfLine { linesPerFile[file, default: 0] += 1 }
        // Three events at least in each: two webhooks of jobs 1 and 2 are not a history.
        guard linesPerFile.values.allSatisfy({ $0 >= 3 }) else { return nil }
        let counters = stats.filter { key in
            guard key.present == objects, (key.types["string"] ?? 0) + (key.types["integer"] ?? 0) == key.present else {
                return false
            }
            var last: [Int: Int] = [:]
            for (index, line) in flattened.enumerated() {
                guard let text = line[key.path]?.text, let n = Int(text) else { return false }
                let file = fileOfLine[index]
                if let previous = last[file] {
                    guard n == previous + 1 else { return false }
                } else {
                    guard n == 0 || n == 1 else { return false }
                }
                last[file] = n
            }
            return true
        }
        // Starting at 1, top-level and id-like first (`id` over `previousEventId`).
        return counters.min { a, b in
            let sa = Self.nameScore(a.path, names: ["id", "eventid", "event_id", "seq"], suffixes: ["id"])
            let sb = Self.nameScore(b.path, names: ["id", "eventid", "event_id", "seq"], suffixes: ["id"])
            return (-sa, a.path.segments.count, a.path.description) < (-sb, b.path.segments.count, b.path.description)
        }?.path
    }

    /// Whether every string value of `path` reads as a number (`"10891"`): a version or counter,
    /// not a state.
    private func isNumeric(_ path: FieldPath) -> Bool {
        var any = false
        for line in flattened {
            guard let value = line[path], value.kind == .string else { continue }
            guard !value.text.isEmpty, value.text.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) else { return false }
            any = true
        }
        return any
    }

    /// Values of `path` that look like a lifecycle along each task: few distinct values, and
    /// tasks begin in a few of them and end in a few of them.
    private func looksLikeLifecycle(_ path: FieldPath, within task: FieldPath) -> Bool {
        var runs: [String: [String]] = [:]
        var distinct = Set<String>()
        for line in flattened {
            guard let id = line[task], id.kind != .null, let value = line[path], value.kind == .string else { continue }
            distinct.insert(value.text)
            if runs[id.text]?.last != value.text { runs[id.text, default: []].append(value.text) }
        }
        let long = runs.values.filter { $0.count >= 2 }
        guard !long.isEmpty, distinct.count <= 20 else { return false }
        let firsts = Set(long.map { $0.first! }), lasts = Set(long.map { $0.last! })
        return firsts.count <= max(2, distinct.count / 3) && lasts.count <= max(3, distinct.count / 2)
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
    /// Among equally good keys, one beside the task key wins (`workflow_job.started_at` for
    /// `workflow_job.id`, not `repository.updated_at` or a commit's `timestamp`).
    package func timestampProposal(_ stats: [SniffReport.KeyStats], objects: Int, task: FieldPath? = nil) -> [FieldPath] {
        let names: Set<String> = ["ts", "timestamp", "time", "@timestamp", "datetime", "date", "event_time"]
        let hints = ["time", "date"], suffixes = ["_at", "_ts"]
        let times = stats.filter { $0.present * 5 >= objects && $0.timestamps * 100 >= $0.present * 95 }
        func score(_ key: SniffReport.KeyStats) -> Int {
            Self.nameScore(key.path, names: names, hints: hints, suffixes: suffixes)
        }
        let near = task.flatMap { $0.template != nil ? nil : Array($0.segments.dropLast()) }
        func beside(_ key: SniffReport.KeyStats) -> Int { near == Array(key.path.segments.dropLast()) ? 1 : 0 }
        let primary = times.max { a, b in
            (beside(a), score(a), a.present, -a.path.segments.count, b.path.description)
                < (beside(b), score(b), b.present, -b.path.segments.count, a.path.description)
        }
        guard let primary else { return [] }
        let parent = primary.path.segments.dropLast()
        let later = times.filter { key in
            key.path != primary.path && key.path.segments.dropLast() == parent && score(key) > 0
                && key.present <= primary.present && isNeverEarlier(key.path, than: primary.path)
        }.sorted { a, b in
            // Filled less first (set later in the lifecycle); of two filled alike, the later one.
            if a.present != b.present { return a.present < b.present }
            if isNeverEarlier(a.path, than: b.path) { return true }
            if isNeverEarlier(b.path, than: a.path) { return false }
            return a.path.description < b.path.description
        }
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
/// directly-follows relation per task, and rules under which the sample imports with no
/// violation for what was observed.
///
/// Observed values are mapped through the default aliases (``Rules/standard``) onto SPEC's
/// states where they match (`COMPLETE` → SUCCEEDED, Celery's `task-succeeded` → SUCCEEDED once
/// the prefix all values share is set aside); a value that would become a terminal state but is
/// followed by another state in the sample stays a state of its own, so that the import gives no
/// `after_terminal`. States never followed by another are terminal (a SPEC open state stays
/// open); a terminal state a task reports again is an echo of itself; the largest step back in
/// time within a task, up to ``maximumClockSkew``, is the clock skew.
package struct Lifecycle {
    /// Steps back in time larger than this are left as `out_of_order` anomalies.
    package static let maximumClockSkew: Int64 = 60_000

    private(set) var stateCounts: [(state: String, count: Int)] = []
    private(set) var transitionCounts: [(from: String, to: String, count: Int)] = []
    /// Observed (normalised) value → SPEC state, for the values mapped.
    private(set) var aliases: [String: String] = [:]
    /// Terminal state → itself, for terminal states a task reported again.
    private(set) var echoes: [String: [String]] = [:]
    /// Values that read as a SPEC terminal state but are followed by another state in the
    /// sample, so kept as states of their own: two ends for one task, or a log out of order.
    private(set) var unmappedEnds: [(raw: String, canonical: String)] = []
    /// The clock skew the rules allow (ms).
    private(set) var clockSkew: Int64 = 0
    /// Steps back in time larger than ``maximumClockSkew``: how many, and the largest (ms).
    private(set) var lateEvents = 0, latestLateStep: Int64 = 0
    private var order: [String] = []
    private var firsts = Set<String>()
    private var edges: [String: [String: Int]] = [:]
    private var forcedOpen = Set<String>()

    private struct Step {
        var task: String, state: String, ts: Int64
    }

    /// The last word and the last two words (joined by `_`) of a value written in CamelCase or
    /// with `_`/`-`/space between words (`ExecutionTimedOut` → `Out`, `Timed_Out`;
    /// `EVENT_TYPE_WORKFLOW_EXECUTION_FAILED` → `FAILED`, `EXECUTION_FAILED`), none for a
    /// one-word value: how history events name an execution's end.
    static func lastWords(_ raw: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in raw {
            if "_- ".contains(character) {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                if character.isUppercase, current.last?.isLowercase == true {
                    words.append(current)
                    current = ""
                }
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        guard words.count >= 2 else { return [] }
        return [words[words.count - 1], words[words.count - 2] + "_" + words[words.count - 1]]
    }

    package init(samples: [[UInt8]], files: [String?] = [], decoder: EventDecoder, base: Rules = .standard) {
        var steps: [Step] = []
        var rawValues: [String: String] = [:]  // normal form → the value as first written
        var seen = Set<String>()
        var decoders: [String: EventDecoder] = [:]
        for (index, sample) in samples.enumerated() {
            var lineDecoder = decoder
            if index < files.count, let file = files[index] {
                if decoders[file] == nil { decoders[file] = decoder.reading(file: file) }
                lineDecoder = decoders[file]!
            }
            guard case .event(let event) = sample.withUnsafeBytes(lineDecoder.read) else { continue }
            let state = Rules.normalForm(event.state)
            guard !state.isEmpty else { continue }
            if rawValues[state] == nil { rawValues[state] = event.state }
            // The importer drops duplicates before judging: so must the transitions.
            let identity = event.id.map { "id\u{0}\($0)" }
                ?? [event.task, state, String(event.timestamp), event.actor, event.source, event.stage, event.detail]
                .joined(separator: "\u{0}")
            guard seen.insert(identity).inserted else { continue }
            steps.append(Step(task: event.task, state: state, ts: event.timestamp))
        }
        // Raw values followed by another value in some task.
        var followed = Set<String>(), raws: [String] = []
        var lastRaw: [String: String] = [:]
        for step in steps {
            if !raws.contains(step.state) { raws.append(step.state) }
            if let previous = lastRaw[step.task], previous != step.state { followed.insert(previous) }
            lastRaw[step.task] = step.state
        }
        let stem = Self.sharedPrefix(raws)
        var mapped: [String: String] = [:]
        for raw in raws {
            var target = base.canonicalState(raw) ?? (stem.isEmpty ? nil : base.canonicalState(String(raw.dropFirst(stem.count))))
            // A history's end, never followed by another event (`ExecutionSucceeded`,
            // `WorkflowExecutionCompleted`): its last word may name a SPEC end. Only ends: the
            // steps inside an execution (`TaskSucceeded`, `ActivityTaskStarted`) are followed.
            if target == nil, !followed.contains(raw), let value = rawValues[raw],
                let end = Self.lastWords(value).lazy.compactMap(base.canonicalState).first(where: base.isTerminal)
            {
                target = end
            }
            guard let target else { continue }
            if base.isTerminal(target) && followed.contains(raw) {
                unmappedEnds.append((raw, target))
                continue
            }
            mapped[raw] = target
        }
        // A value kept as its own state must not share its name with a SPEC state mapped onto.
        let kept = Set(raws.filter { mapped[$0] == nil })
        mapped = mapped.filter { !kept.contains($0.value) }
        aliases = mapped.filter { $0.key != $0.value }
        forcedOpen = Set(mapped.values.filter { !base.isTerminal($0) })

        var counts: [String: Int] = [:]
        var last: [String: String] = [:], latest: [String: Int64] = [:]
        var echoSet = Set<String>()
        for step in steps {
            let state = mapped[step.state] ?? step.state
            if counts[state] == nil { order.append(state) }
            counts[state, default: 0] += 1
            if let previous = last[step.task] {
                if previous != state {
                    edges[previous, default: [:]][state, default: 0] += 1
                } else if !followed.contains(step.state), !forcedOpen.contains(state) {
                    echoSet.insert(state)
                }
            } else {
                firsts.insert(state)
            }
            last[step.task] = state
            if let before = latest[step.task], step.ts < before {
                let back = before - step.ts
                if back <= Self.maximumClockSkew {
                    clockSkew = max(clockSkew, back)
                } else {
                    lateEvents += 1
                    latestLateStep = max(latestLateStep, back)
                }
            }
            latest[step.task] = max(latest[step.task] ?? step.ts, step.ts)
        }
        let terminal = Set(order.filter { edges[$0] == nil && !forcedOpen.contains($0) })
        echoes = Dictionary(uniqueKeysWithValues: echoSet.filter(terminal.contains).map { ($0, [$0]) })
        stateCounts = order.map { ($0, counts[$0]!) }.sorted { ($0.count, $1.state) > ($1.count, $0.state) }
        for from in order {
            for to in order { if let n = edges[from]?[to] { transitionCounts.append((from, to, n)) } }
        }
    }

    /// The prefix every value shares up to a `_` (`TASK_` of Celery's `TASK_SENT`, `TASK_FAILED`…),
    /// empty when there is none or only one value.
    static func sharedPrefix(_ values: [String]) -> String {
        guard values.count >= 2, var prefix = values.first else { return "" }
        for value in values.dropFirst() {
            while !value.hasPrefix(prefix) { prefix.removeLast() }
        }
        guard let cut = prefix.lastIndex(of: "_") else { return "" }
        return String(prefix[...cut])
    }

    /// States never followed by another are terminal (SPEC's open states stay open); every
    /// observed transition is allowed; the initial states are the observed first ones.
    package func rules() -> Rules? {
        guard !order.isEmpty else { return nil }
        let open = order.filter { edges[$0] != nil || forcedOpen.contains($0) }
        let transitions = edges.mapValues { targets in order.filter { targets[$0] != nil } }
        return try? Rules(
            openStates: open, terminalStates: order.filter { !open.contains($0) }, aliases: aliases,
            initial: order.filter(firsts.contains), transitions: transitions, echoes: echoes, clockSkew: clockSkew)
    }
}
