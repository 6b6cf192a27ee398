import TaskLedgerCore

/// Which input keys provide each event field, in fallback order (SPEC §2).
///
/// The first path in a field's list that is present with a non-null value wins, whatever the
/// order of keys in the line. `--field task=job_id` replaces the default keys of `task`;
/// repeating `--field` for one field builds a fallback list in the order given. A profile's
/// `fields:` gives dotted paths into nested objects (`workflow_job.id`).
public struct FieldMapping: Sendable, Equatable {
    /// An event field that a line can provide.
    public enum Field: String, Sendable, CaseIterable {
        /// ``StatusEvent/task``: required; a string or a decimal integer.
        case task
        /// ``StatusEvent/state``: required; a string.
        case state
        /// ``StatusEvent/timestamp``: required; RFC 3339 text or epoch seconds (ms when ≥ 1e11).
        case ts
        /// ``StatusEvent/id``: optional; the event's identity for dedupe.
        case id
        /// ``StatusEvent/actor``: optional string.
        case actor
        /// ``StatusEvent/source``: optional string.
        case source
        /// ``StatusEvent/stage``: optional string.
        case stage
        /// ``StatusEvent/detail``: optional string.
        case detail

        /// Position in `allCases`, used to index per-field storage.
        package var index: Int {
            switch self {
            case .task: 0
            case .state: 1
            case .ts: 2
            case .id: 3
            case .actor: 4
            case .source: 5
            case .stage: 6
            case .detail: 7
            }
        }
    }

    /// The paths of each field, indexed by `Field.index`.
    private var pathLists: [[FieldPath]]

    /// The default keys of SPEC §2.
    public init() {
        pathLists = Field.allCases.map { Self.defaultKeys($0).map(FieldPath.init(key:)) }
    }

    /// A mapping from `--field FIELD=KEY` specs over `base`. Fields without a spec keep the
    /// paths of `base` (by default, SPEC §2's keys).
    ///
    /// Everything after the first `=` is the key, taken literally (`ts=@timestamp`, `id=a=b`,
    /// `ts=a.b` is the key `a.b`, not a path).
    public init(specs: [String], base: FieldMapping = .init()) throws(FieldMappingError) {
        self = base
        var replaced = Set<Field>()
        for spec in specs {
            guard let equals = spec.firstIndex(of: "=") else { throw .badSpec(spec) }
            let name = String(spec[..<equals])
            let key = String(spec[spec.index(after: equals)...])
            guard !name.isEmpty, !key.isEmpty else { throw .badSpec(spec) }
            guard let field = Field(rawValue: name) else { throw .unknownField(name, spec: spec) }
            if replaced.insert(field).inserted { pathLists[field.index] = [] }
            pathLists[field.index].append(FieldPath(key: key))
        }
    }

    /// A mapping with the given paths; fields not in `paths` keep SPEC §2's keys. An empty list
    /// means the field is never read from the line.
    package init(paths: [Field: [FieldPath]]) {
        self.init()
        for (field, list) in paths { pathLists[field.index] = list }
    }

    /// The paths that provide `field`, in fallback order.
    package func paths(for field: Field) -> [FieldPath] {
        pathLists[field.index]
    }

    /// The paths of `field` as written in a profile (`workflow_job.id`), in fallback order.
    public func keys(for field: Field) -> [String] {
        pathLists[field.index].map(\.description)
    }

    /// Whether some path goes into a nested object or is a template; if not, every path is one
    /// top-level key.
    package var hasNestedPaths: Bool {
        pathLists.contains { $0.contains { $0.segments.count > 1 || $0.template != nil } }
    }

    /// The keys of `field` when no `--field` spec names it.
    public static func defaultKeys(_ field: Field) -> [String] {
        switch field {
        case .task: ["task", "task_id", "req"]
        case .state: ["state", "status"]
        case .ts: ["ts", "timestamp", "time"]
        case .id: ["id", "event_id"]
        case .actor, .source, .stage, .detail: [field.rawValue]
        }
    }
}

/// A path to a value: a top-level key, or keys into nested objects (`workflow_job.id`); or, in
/// a profile, a *template* that composes a value from other paths and text.
///
/// Written with `.` between keys; a key holding a `.` or `\` escapes it with `\` (`a\.b`).
/// Paths go through objects only: array indexes (`steps[0]`, `steps.0`) are refused.
///
/// A template holds `{path}` parts, replaced by the values there (strings as their text, numbers
/// and booleans as written): `{info.invocation_id}/{data.node_info.unique_id}` is one dbt node in
/// one run, `run-{workflow_run.id}` keeps a run apart from a job with the same number. A
/// template is absent when one of its paths is. `$file` (alone, or `{$file}` in a template) is
/// the name of the file being imported, without its directory and its `.gz`, `.jsonl`, `.json`,
/// `.ndjson` or `.log` ending: the task of a history file that holds one execution.
package struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    /// One part of a template.
    package enum Part: Sendable, Hashable {
        case text(String)
        case path(FieldPath)
        case file
    }

    /// Everything in one immutable object: a path is then one reference to copy and release,
    /// as the decoder does per field and line (three arrays cost +0.5 % instructions, measured).
    private final class Storage: Sendable {
        let segments: [String]
        let segmentBytes: [[UInt8]]
        let template: [Part]?

        init(segments: [String], template: [Part]?) {
            self.segments = segments
            segmentBytes = segments.map { Array($0.utf8) }
            self.template = template
        }
    }

    private let storage: Storage

    /// The keys, outermost first; never empty. A template's is its text, as one key.
    package var segments: [String] { storage.segments }
    /// The same keys as UTF-8, for comparing with a line's bytes.
    package var segmentBytes: [[UInt8]] { storage.segmentBytes }
    /// The parts of a template, nil for a plain path.
    package var template: [Part]? { storage.template }

    /// A path of one top-level key, taken literally.
    package init(key: String) {
        storage = Storage(segments: [key], template: nil)
    }

    /// A path of the given keys, taken literally.
    package init(segments: [String]) {
        storage = Storage(segments: segments, template: nil)
    }

    private init(template parts: [Part], text: String) {
        storage = Storage(segments: [text], template: parts)
    }

    /// Parses a dotted path or a template; throws a message for people when it cannot be used.
    package init(parsing text: String) throws(FieldPathError) {
        if text == "$file" {
            self.init(template: [.file], text: text)
            return
        }
        if text.contains("{") || text.contains("}") {
            var parts: [Part] = []
            var rest = Substring(text)
            while !rest.isEmpty {
                guard let open = rest.firstIndex(of: "{") else {
                    guard !rest.contains("}") else { throw FieldPathError(path: text, problem: "a '}' has no '{' before it") }
                    parts.append(.text(String(rest)))
                    break
                }
                let literal = rest[..<open]
                guard !literal.contains("}") else { throw FieldPathError(path: text, problem: "a '}' has no '{' before it") }
                if !literal.isEmpty { parts.append(.text(String(literal))) }
                guard let close = rest[open...].firstIndex(of: "}") else {
                    throw FieldPathError(path: text, problem: "a '{' is not closed by '}'")
                }
                let inner = String(rest[rest.index(after: open)..<close])
                guard !inner.contains("{") else { throw FieldPathError(path: text, problem: "'{' inside '{…}'") }
                if inner == "$file" {
                    parts.append(.file)
                } else {
                    guard !inner.isEmpty else { throw FieldPathError(path: text, problem: "'{}' names no path") }
                    parts.append(.path(try FieldPath(parsing: inner)))
                }
                rest = rest[rest.index(after: close)...]
            }
            guard parts.contains(where: { if case .text = $0 { false } else { true } }) else {
                throw FieldPathError(path: text, problem: "a template needs a {path} or {$file}")
            }
            self.init(template: parts, text: text)
            return
        }
        var segments: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "." {
                segments.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !escaped else { throw FieldPathError(path: text, problem: "it ends with a lone \\") }
        segments.append(current)
        for segment in segments {
            guard !segment.isEmpty else {
                throw FieldPathError(path: text, problem: "it has an empty key (write keys separated by single dots)")
            }
            if segment.contains("[") || segment.contains("]") || segment.allSatisfy(\.isASCIIDigitCharacter) {
                throw FieldPathError(
                    path: text,
                    problem: "'\(segment)' is an array index; paths go through objects only, not arrays")
            }
        }
        self.init(segments: segments)
    }

    /// The path as written in a profile: keys joined by `.`, with `.` and `\` in keys escaped.
    package var description: String {
        if template != nil { return segments[0] }
        return segments.map { $0.replacingAll("\\", with: "\\\\").replacingAll(".", with: "\\.") }
            .joined(separator: ".")
    }

    package static func == (a: FieldPath, b: FieldPath) -> Bool { a.segments == b.segments && a.template == b.template }
    package func hash(into hasher: inout Hasher) { hasher.combine(segments) }

    /// The name `$file` stands for: `path`'s last component without its `.gz`, `.jsonl`,
    /// `.json`, `.ndjson` or `.log` endings (`runs/exec-42.jsonl.gz` → `exec-42`).
    package static func fileTask(_ path: String) -> String {
        var name = Substring(path.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(path))
        for ending in [".gz", ".jsonl", ".ndjson", ".json", ".log"] where name.hasSuffix(ending) && name.count > ending.count {
            name = name.dropLast(ending.count)
        }
        return String(name)
    }
}

/// A path in a profile that cannot be used.
package struct FieldPathError: Error, Sendable, Equatable, CustomStringConvertible {
    package var path: String
    package var problem: String
    package var description: String { "path '\(path)' cannot be used: \(problem)" }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}

/// A `--field` spec that cannot be used: thrown by ``FieldMapping/init(specs:base:)`` and
/// ``Profile/decoder(fieldSpecs:)``.
public enum FieldMappingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not of the form `FIELD=KEY` with both parts non-empty; the message shows the expected
    /// form with an example (`--field task=job_id`).
    case badSpec(String)
    /// `FIELD` is not one of the event's fields; the message lists the fields
    /// (``FieldMapping/Field``).
    case unknownField(String, spec: String)

    /// One line for people: the spec as given and the form or field names expected.
    public var description: String {
        switch self {
        case .badSpec(let spec):
            "bad --field spec '\(spec)': expected FIELD=KEY, e.g. --field task=job_id"
        case .unknownField(let name, let spec):
            "unknown field '\(name)' in --field '\(spec)': the fields are "
                + FieldMapping.Field.allCases.map(\.rawValue).joined(separator: ", ")
        }
    }
}
