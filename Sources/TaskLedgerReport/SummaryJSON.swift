import TaskLedgerCore

extension Report {
    /// `summary.json`, written by hand so that its key order is part of the contract:
    ///
    /// `ledger`, `now`, `since`/`until` (only when given), `lines`, `events`, `tasks`,
    /// `terminal` (per terminal state, rules order), `open`, `partial` (tasks first seen
    /// mid-lifecycle: `terminal`, `open`), `stale`, `rejects`, `violations`
    /// (per kind, SPEC §4 order, zeros included), `violations_total`, `success_rate`
    /// (4 decimals, null with no terminal task), `duration_s` (per terminal state: `count` of
    /// tasks seen from their start, `p50`, `p90`, `p99` of their durations in seconds with 3
    /// decimals, null when the state has no such task; partial tasks have no duration).
    /// Two spaces of indent, one key per line, a final newline.
    public var summaryJSON: String {
        var json = JSONObjectText()
        json.add("ledger", string: ledgerPath)
        json.add("now", string: Timestamp.format(options.now))
        if let since = options.since { json.add("since", string: Timestamp.format(since)) }
        if let until = options.until { json.add("until", string: Timestamp.format(until)) }
        json.add("lines", raw: String(lines))
        json.add("events", raw: String(events))
        json.add("tasks", raw: String(tasks))
        json.add("terminal", object: terminalCounts.map { ($0.state, String($0.count)) })
        json.add("open", raw: String(open))
        let partial = partialCounts
        json.add("partial", object: [("terminal", String(partial.terminal)), ("open", String(partial.open))])
        json.add("stale", raw: String(stale.count))
        json.add("rejects", raw: String(rejects))
        let counts = violationCounts
        json.add("violations", object: counts.keys.sorted().map { ($0.rawValue, String(counts[$0]!)) })
        json.add("violations_total", raw: String(violations.count))
        json.add("success_rate", raw: successRate.map { ReportNumber.ratio($0.succeeded, $0.terminal) } ?? "null")
        var durations = JSONObjectText(indent: 2)
        for (state, count, percentiles) in durationPercentiles {
            let seconds = { (ms: Int64?) in ms.map(ReportNumber.seconds) ?? "null" }
            durations.add(state, object: [
                ("count", String(count)), ("p50", seconds(percentiles?.p50)),
                ("p90", seconds(percentiles?.p90)), ("p99", seconds(percentiles?.p99)),
            ])
        }
        json.add("duration_s", raw: durations.text)
        return json.text + "\n"
    }
}

/// A JSON object as text, keys in insertion order; values are given already encoded.
package struct JSONObjectText {
    private var members: [String] = []
    private let indent: Int

    package init(indent: Int = 1) { self.indent = indent }

    package mutating func add(_ key: String, raw: String) {
        members.append(JSONObjectText.quote(key) + ": " + raw)
    }

    package mutating func add(_ key: String, string: String) { add(key, raw: JSONObjectText.quote(string)) }

    /// A nested object of already-encoded values, on one line: `{"a": 1, "b": 2}`.
    package mutating func add(_ key: String, object: [(String, String)]) {
        add(key, raw: "{" + object.map { JSONObjectText.quote($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}")
    }

    package var text: String {
        let pad = String(repeating: "  ", count: indent)
        let closing = String(repeating: "  ", count: indent - 1)
        if members.isEmpty { return "{}" }
        return "{\n" + members.map { pad + $0 }.joined(separator: ",\n") + "\n" + closing + "}"
    }

    /// A JSON string: `"` `\` and control characters escaped, everything else as UTF-8.
    package static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
