import TaskLedgerCore
import TaskLedgerDecoding

/// What ``LogSniffer`` found in a sample: every key with its types and fill rate, the keys
/// proposed for task, state and ts, the state values and the transitions between them, and a
/// starting profile whose rules allow exactly the observed transitions.
package struct SniffReport: Sendable {
    /// One path of the sample.
    package struct KeyStats: Sendable {
        package var path: FieldPath
        /// Lines where the path holds a non-null value.
        package var present: Int
        /// Non-null values per type: `string`, `integer`, `float`, `bool`, `object`, `array`.
        package var types: [String: Int]
        /// Distinct scalar values.
        package var distinct: Int
        /// Values that read as a timestamp (RFC 3339, GitLab's spaced form, or epoch seconds or
        /// ms) in 2000–2099.
        package var timestamps: Int
        /// Of those, the ones in GitLab's spaced form (`2023-01-10 13:50:05 UTC`).
        package var spaced = 0
    }

    /// Non-blank lines read, lines that were not one JSON object, and JSON objects.
    package var lines: Int, malformed: Int, objects: Int
    /// Paths by fill rate, highest first.
    package var keys: [KeyStats]
    /// Task key candidates, best first.
    package var taskCandidates: [FieldPath]
    /// The proposed fallback lists (empty when nothing fits).
    package var state: [FieldPath], ts: [FieldPath]
    /// The proposed `only:` (lines without a task are then skipped rather than rejected).
    package var selection: LineSelection
    /// Normalised state values with the number of events holding them, most frequent first.
    package var stateCounts: [(state: String, count: Int)]
    /// Directly-follows counts per task, over events the proposed profile reads.
    package var transitions: [(from: String, to: String, count: Int)]
    /// The starting profile, when task, state and ts keys were found.
    package var profile: Profile?
    /// The per-file event counter, when the sample is history files (one execution per file,
    /// task `$file`).
    package var historyCounter: FieldPath?
    /// Observed value → SPEC state, for the values the profile maps through the default aliases.
    package var aliases: [(from: String, to: String)] = []
    /// What the person should know about the proposal (clock skew allowed, anomalies left).
    package var notes: [String] = []
}

extension LogSniffer {
    /// Describes the sample and proposes a profile named `name`.
    package func report(name: String = "sniffed", summary: String = "") -> SniffReport {
        let stats = keyStats()
        let byPath = Dictionary(uniqueKeysWithValues: stats.map { ($0.path, $0) })
        let objects = flattened.count
        var tasks = taskCandidates(stats, objects: objects)
        let counter = historyCounter(stats)
        let history = counter.map { counter in
            // A real task key (named so, repeating, with a state that changes along it) beats a
            // per-file counter; Temporal's `taskId` repeats too, but no state changes along it.
            !tasks.contains { path in
                guard path != counter, let key = byPath[path] else { return false }
                return Self.nameScore(path, names: Self.taskNames) == 3 && key.present * 10 >= key.distinct * 12
                    && !stateProposal(stats, task: path, objects: objects).isEmpty
            }
        } ?? false
        if history, let counter {
            tasks = [try! FieldPath(parsing: "$file")] + tasks.filter { $0 != counter }
        }
        var report = SniffReport(
            lines: lines, malformed: malformed, objects: objects, keys: stats, taskCandidates: tasks,
            state: [], ts: [], selection: .everything, stateCounts: [], transitions: [], profile: nil)
        guard let task = tasks.first else { return report }
        if history {
            report.historyCounter = counter
            report.state = historyStateProposal(stats, objects: objects)
        } else {
            report.state = stateProposal(stats, task: task, objects: objects)
        }
        report.ts = timestampProposal(stats, objects: objects, task: history ? nil : task)
        // A few lines without a task are mistakes to report, not other records to skip.
        if let key = byPath[task], key.present * 20 <= objects * 19 {
            report.selection = selection(task: task, stats: stats)
        }
        if report.state.count == 1, let condition = placeholderCondition(state: report.state[0], task: history ? nil : task) {
            report.selection = LineSelection((report.selection.alternatives.first ?? []) + [condition])
        }
        guard !report.state.isEmpty, !report.ts.isEmpty else { return report }
        var paths: [FieldMapping.Field: [FieldPath]] = [.task: [task], .state: report.state, .ts: report.ts]
        let used = Set([task] + report.state + report.ts + (history ? [counter!] : []))
        for field in [FieldMapping.Field.id, .actor, .source, .stage, .detail] {
            paths[field] = FieldMapping.defaultKeys(field).map(FieldPath.init(key:)).filter { path in
                guard !used.contains(path), let key = byPath[path], key.present > 0,
                    (key.types["object"] ?? 0) + (key.types["array"] ?? 0) == 0
                else { return false }
                // An event id must name one line: a repeated "id" is more likely the task's.
                return field != .id || key.distinct == key.present
            }
        }
        if history, let counter {
            // Events of one history may share state and time (Temporal: three events in one ms):
            // the counter tells them apart, and with the file, across histories too.
            paths[.id] = [try! FieldPath(parsing: "{$file}/{\(counter.description)}")]
        }
        let mapping = FieldMapping(paths: paths)
        let formats: Set<TimestampFormat> =
            report.ts.contains { (byPath[$0]?.spaced ?? 0) > 0 } ? [.rfc3339, .spaced] : [.rfc3339]
        let lifecycle = Lifecycle(
            samples: samples, files: fileOfLine.map { $0 < files.count ? files[$0] : nil },
            decoder: EventDecoder(mapping: mapping, selection: report.selection, timestampFormats: formats))
        report.stateCounts = lifecycle.stateCounts
        report.transitions = lifecycle.transitionCounts
        report.aliases = lifecycle.aliases.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let counter, history {
            report.notes.append("history files: \(counter) counts 1, 2, 3… in each file, so each file is one execution (task $file)")
        }
        if lifecycle.clockSkew > 0 {
            report.notes.append("clock_skew \(DurationText.format(lifecycle.clockSkew)): events of a task go back in time by up to that much")
        }
        if lifecycle.lateEvents > 0 {
            report.notes.append(
                "\(lifecycle.lateEvents) event(s) go back in time by more than \(DurationText.format(Lifecycle.maximumClockSkew)) within their task (up to \(DurationText.format(lifecycle.latestLateStep))): left to the import as out_of_order, a real anomaly or a log not in time order")
        }
        if !lifecycle.unmappedEnds.isEmpty {
            report.notes.append(
                lifecycle.unmappedEnds.map { "\($0.raw) (\($0.canonical))" }.joined(separator: ", ")
                    + " would end a task but other states follow in the sample: kept as states of their own, not aliased")
        }
        if !lifecycle.echoes.isEmpty {
            report.notes.append("echoes: " + lifecycle.echoes.keys.sorted().joined(separator: ", ") + " reported again after the end")
        }
        if let rules = lifecycle.rules() {
            report.profile = Profile(
                name: name, summary: summary, rules: rules, mapping: mapping, selection: report.selection,
                timestampFormats: formats)
        }
        return report
    }

    /// When the state key holds a placeholder for "no state" (dbt's end-of-run lines with
    /// node_status `"None"`), an `only:` listing the other observed values leaves those lines out.
    private func placeholderCondition(state: FieldPath, task: FieldPath?) -> LineSelection.Condition? {
        var values = Set<String>(), placeholder = false
        for line in flattened {
            if let task, line[task].map({ $0.kind != .null }) != true { continue }
            guard let value = line[state], value.kind == .string else { continue }
            if Self.placeholders.contains(Rules.normalForm(value.text)) {
                placeholder = true
            } else {
                values.insert(value.text)
            }
        }
        guard placeholder, !values.isEmpty, values.count <= 50,
            !values.contains(where: { $0.contains("*") || $0.contains("?") })
        else { return nil }
        return .init(path: state, patterns: values.sorted())
    }

    private func keyStats() -> [SniffReport.KeyStats] {
        var stats: [FieldPath: SniffReport.KeyStats] = [:]
        var values: [FieldPath: Set<String>] = [:]
        for line in flattened {
            for (path, value) in line where value.kind != .null {
                var entry = stats[path] ?? .init(path: path, present: 0, types: [:], distinct: 0, timestamps: 0)
                entry.present += 1
                entry.types[Self.typeName(value), default: 0] += 1
                if value.timestamp != nil { entry.timestamps += 1 }
                if value.spaced { entry.spaced += 1 }
                stats[path] = entry
                if value.kind != .object, value.kind != .array { values[path, default: []].insert(value.text) }
            }
        }
        return stats.values.map { entry in
            var entry = entry
            entry.distinct = values[entry.path]?.count ?? 0
            return entry
        }.sorted { ($0.present, $1.path.description) > ($1.present, $0.path.description) }
    }

    package static func typeName(_ value: Value) -> String {
        switch value.kind {
        case .string: "string"
        case .number: value.isInteger ? "integer" : "float"
        case .bool: "bool"
        case .null: "null"
        case .object: "object"
        case .array: "array"
        }
    }

    /// How much a key's last name sounds like `names` (3), like one of `hints` (2), or not (0).
    package static func nameScore(_ path: FieldPath, names: Set<String>, hints: [String] = [], suffixes: [String] = []) -> Int {
        let name = path.segments.last!.lowercased()
        if names.contains(name) { return 3 }
        if hints.contains(where: name.contains) || suffixes.contains(where: name.hasSuffix) { return 2 }
        return 0
    }

    static let taskNames: Set<String> = ["task", "task_id", "taskid", "uuid", "job_id", "jobid", "id", "req", "request_id"]

    /// Keys holding strings or integers over many values, best first: an id-like name; values
    /// that repeat (several events per task); beside a state-like key (`workflow_job.id` next to
    /// `workflow_job.status`, not `repository.id`), sharing its name's stem (`build_id`,
    /// `build_status`); then the finer key. A key that does not repeat (one line per task: a
    /// snapshot, or webhooks of different jobs) qualifies only when it is id-named and beside a
    /// state-like key; a key present on few lines only when it is id-named (dbt's node lines).
    private func taskCandidates(_ stats: [SniffReport.KeyStats], objects: Int) -> [FieldPath] {
        let suffixes = ["_id", "id", "uuid"]
        let states = stats.filter { key in
            // Two values at least: `sender.type` "User" beside `sender.id` says nothing.
            key.types["string"] == key.present && (2...50).contains(key.distinct) && key.timestamps * 2 < key.present
                && Self.stateScore(key.path) >= 2
        }
        func stateBeside(_ path: FieldPath) -> SniffReport.KeyStats? {
            let parent = Array(path.segments.dropLast())
            return states.first { Array($0.path.segments.dropLast()) == parent && $0.path != path }
        }
        func stem(_ path: FieldPath) -> Int {
            let name = path.segments.last!.lowercased()
            guard let cut = name.firstIndex(where: { $0 == "_" || $0 == "." }) else { return 0 }
            let prefix = name[...cut]
            let parent = Array(path.segments.dropLast())
            return states.contains { Array($0.path.segments.dropLast()) == parent && $0.path.segments.last!.lowercased().hasPrefix(prefix) } ? 1 : 0
        }
        struct Ranked { var key: SniffReport.KeyStats; var score: Int; var repeats: Bool; var beside: Bool; var stem: Int }
        let ranked: [Ranked] = stats.compactMap { key in
            let scalar = (key.types["string"] ?? 0) + (key.types["integer"] ?? 0)
            var score = Self.nameScore(key.path, names: Self.taskNames, suffixes: suffixes)
            let stem = stem(key.path)
            // `build_id` beside `build_status` names the task as clearly as `id`.
            if score == 2, stem == 1 { score = 3 }
            let repeats = key.present * 10 >= key.distinct * 12
            let beside = stateBeside(key.path) != nil
            let filled = key.present * 10 >= objects * 3 || (score >= 2 && key.present * 10 >= objects)
            // An id-named integer may read as epoch seconds now and then (GitLab's build_id
            // 3580121225 is a date in 2083): only all-timestamps disqualifies it.
            let times = score >= 2 ? key.timestamps < key.present : key.timestamps * 2 < key.present
            guard filled, scalar * 100 >= key.present * 95, times,
                key.distinct >= 2 || (score >= 2 && beside), repeats || (score >= 2 && beside)
            else { return nil }
            return Ranked(key: key, score: score, repeats: repeats, beside: beside, stem: stem)
        }
        func rank(_ r: Ranked) -> [Int] {
            // Tasks outnumber states and labels: among equally placed keys, the finer one wins.
            [r.score, r.repeats ? 1 : 0, r.beside ? 1 : 0, r.stem, r.key.distinct, r.key.present, -r.key.path.segments.count]
        }
        return ranked.sorted { a, b in
            let ra = rank(a), rb = rank(b)
            return ra != rb ? rb.lexicographicallyPrecedes(ra) : a.key.path.description < b.key.path.description
        }.map(\.key.path)
    }
}
