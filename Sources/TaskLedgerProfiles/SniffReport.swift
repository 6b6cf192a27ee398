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
        /// Values that read as a timestamp (RFC 3339, or epoch seconds or ms) in 2000–2099.
        package var timestamps: Int
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
}

extension LogSniffer {
    /// Describes the sample and proposes a profile named `name`.
    package func report(name: String = "sniffed", summary: String = "") -> SniffReport {
        let stats = keyStats()
        let byPath = Dictionary(uniqueKeysWithValues: stats.map { ($0.path, $0) })
        let objects = flattened.count
        let tasks = taskCandidates(stats, objects: objects)
        var report = SniffReport(
            lines: lines, malformed: malformed, objects: objects, keys: stats, taskCandidates: tasks,
            state: [], ts: [], selection: .everything, stateCounts: [], transitions: [], profile: nil)
        guard let task = tasks.first else { return report }
        report.state = stateProposal(stats, task: task, objects: objects)
        report.ts = timestampProposal(stats, objects: objects)
        // A few lines without a task are mistakes to report, not other records to skip.
        if byPath[task]!.present * 20 <= objects * 19 { report.selection = selection(task: task, stats: stats) }
        guard !report.state.isEmpty, !report.ts.isEmpty else { return report }
        var paths: [FieldMapping.Field: [FieldPath]] = [.task: [task], .state: report.state, .ts: report.ts]
        let used = Set([task] + report.state + report.ts)
        for field in [FieldMapping.Field.id, .actor, .source, .stage, .detail] {
            paths[field] = FieldMapping.defaultKeys(field).map(FieldPath.init(key:)).filter { path in
                guard !used.contains(path), let key = byPath[path], key.present > 0 else { return false }
                // An event id must name one line: a repeated "id" is more likely the task's.
                return field != .id || key.distinct == key.present
            }
        }
        let mapping = FieldMapping(paths: paths)
        let lifecycle = Lifecycle(
            samples: samples, decoder: EventDecoder(mapping: mapping, selection: report.selection))
        report.stateCounts = lifecycle.stateCounts
        report.transitions = lifecycle.transitionCounts
        if let rules = lifecycle.rules() {
            report.profile = Profile(
                name: name, summary: summary, rules: rules, mapping: mapping, selection: report.selection)
        }
        return report
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

    /// Keys holding strings or integers that repeat (several events per task) over many values.
    private func taskCandidates(_ stats: [SniffReport.KeyStats], objects: Int) -> [FieldPath] {
        let names: Set<String> = ["task", "task_id", "taskid", "uuid", "job_id", "jobid", "id", "req", "request_id"]
        return stats.filter { key in
            let scalar = (key.types["string"] ?? 0) + (key.types["integer"] ?? 0)
            return key.present * 10 >= objects * 3 && scalar * 100 >= key.present * 95 && key.distinct >= 2
                && key.present * 10 >= key.distinct * 12 && key.timestamps * 2 < key.present
        }.sorted { a, b in
            let sa = Self.nameScore(a.path, names: names, suffixes: ["_id", "id", "uuid"])
            let sb = Self.nameScore(b.path, names: names, suffixes: ["_id", "id", "uuid"])
            // Tasks outnumber states and labels: among equally named keys, the finer one wins.
            return (sa, a.distinct, a.present, -a.path.segments.count, b.path.description)
                > (sb, b.distinct, b.present, -b.path.segments.count, a.path.description)
        }.map(\.path)
    }
}
