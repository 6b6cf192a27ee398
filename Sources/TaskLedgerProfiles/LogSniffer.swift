import TaskLedgerCore
import TaskLedgerDecoding

/// Reads a sample of an unknown JSONL log and describes it: its keys (as dotted paths), their
/// types and fill rates, and — through ``SniffReport`` — the keys that look like task, state and
/// ts, and the lifecycle the log follows. The first step from an unknown log to a profile.
package struct LogSniffer {
    /// One scalar (or the kind of a container) at a path of one line.
    package struct Value {
        package var kind: JSONKind
        package var isInteger = false
        /// A string's decoded text, a number's or bool's literal; empty for containers and null.
        package var text = ""
        /// Epoch ms, when the value reads as a timestamp in years 2000–2099.
        package var timestamp: Int64?
        /// The timestamp is GitLab's spaced form (`2023-01-10 13:50:05 UTC`), not RFC 3339.
        package var spaced = false
    }

    /// Objects nested deeper than this are not described (their keys are not proposed).
    package static let maximumDepth = 4

    /// Lines given, blank ones excluded.
    package private(set) var lines = 0
    /// Lines that are not one JSON object.
    package private(set) var malformed = 0
    /// The lines that parsed, as read (kept to replay them through the decoder).
    private(set) var samples: [[UInt8]] = []
    /// Per parsed line, every path to a value, objects included.
    private(set) var flattened: [[FieldPath: Value]] = []
    /// Per parsed line, the file it came from (an index into ``files``).
    private(set) var fileOfLine: [Int] = []
    /// The files given with ``startFile(_:)``, in order (`-` for standard input).
    private(set) var files: [String] = []

    package init() {}

    /// Lines added from now on come from `path` (what a profile's `$file` reads).
    package mutating func startFile(_ path: String) {
        files.append(path)
    }

    /// Adds one line of the sample (without its line end).
    package mutating func add(_ line: UnsafeRawBufferPointer) {
        guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { return }
        lines += 1
        var top: [(String, JSONValue)] = []
        do throws(JSONSyntaxError) {
            try JSONScanner.scanObject(line) { member in top.append((Self.key(member, line), member.value)) }
        } catch {
            malformed += 1
            return
        }
        var paths: [FieldPath: Value] = [:]
        Self.flatten(top, prefix: [], in: line, into: &paths)
        samples.append(Array(line))
        flattened.append(paths)
        fileOfLine.append(max(0, files.count - 1))
    }

    /// Adds one line given as a string.
    package mutating func add(_ line: String) {
        var line = line
        line.withUTF8 { add(UnsafeRawBufferPointer($0)) }
    }

    private static func key(_ member: JSONMember, _ line: UnsafeRawBufferPointer) -> String {
        JSONText.decodeString(
            UnsafeRawBufferPointer(rebasing: line[member.keyStart..<member.keyEnd]), hasEscapes: member.keyHasEscapes)
    }

    private static func flatten(
        _ members: [(String, JSONValue)], prefix: [String], in line: UnsafeRawBufferPointer,
        into paths: inout [FieldPath: Value]
    ) {
        // The last occurrence of a key wins, as in the decoder.
        var last: [String: JSONValue] = [:]
        for (key, value) in members { last[key] = value }
        for (key, value) in last {
            let path = FieldPath(segments: prefix + [key])
            paths[path] = describe(value, in: line)
            guard value.kind == .object, prefix.count + 1 < maximumDepth else { continue }
            var nested: [(String, JSONValue)] = []
            JSONScanner.forEachMember(ofObjectAt: value.start, in: line) { nested.append((Self.key($0, line), $0.value)) }
            flatten(nested, prefix: prefix + [key], in: line, into: &paths)
        }
    }

    private static func describe(_ value: JSONValue, in line: UnsafeRawBufferPointer) -> Value {
        let raw = UnsafeRawBufferPointer(rebasing: line[value.contents])
        var described = Value(kind: value.kind, isInteger: value.isInteger)
        switch value.kind {
        case .string:
            described.text = JSONText.decodeString(raw, hasEscapes: value.hasEscapes)
            described.timestamp = plausible(Timestamp.parseRFC3339(described.text))
            if described.timestamp == nil, let ms = plausible(Timestamp.parseSpaced(described.text)) {
                described.timestamp = ms
                described.spaced = true
            }
        case .number:
            described.text = String(decoding: raw, as: UTF8.self)
            described.timestamp = plausible(Timestamp.fromEpochLiteral(raw))
        case .bool:
            described.text = value.isTrue ? "true" : "false"
        case .null, .object, .array:
            break
        }
        return described
    }

    /// Timestamps of this century only: durations, counters and ids are numbers too.
    private static func plausible(_ ms: Int64?) -> Int64? {
        guard let ms, (946_684_800_000..<4_102_444_800_000).contains(ms) else { return nil }
        return ms
    }
}
