/// Which input keys provide each event field, in fallback order (SPEC §2).
///
/// The first key in a field's list that is present with a non-null value wins, whatever the
/// order of keys in the line. `--field task=job_id` replaces the default keys of `task`;
/// repeating `--field` for one field builds a fallback list in the order given.
public struct FieldMapping: Sendable, Equatable {
    /// An event field that a line can provide.
    public enum Field: String, Sendable, CaseIterable {
        case task, state, ts, id, actor, source, stage, detail

        /// Position in `allCases`, used to index per-field storage.
        var index: Int {
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

    /// The keys of each field, indexed by `Field.index`.
    private var keyLists: [[String]]

    /// The default keys of SPEC §2.
    public init() {
        keyLists = Field.allCases.map(Self.defaultKeys)
    }

    /// A mapping from `--field FIELD=KEY` specs. Fields without a spec keep their default keys.
    ///
    /// Everything after the first `=` is the key, taken literally (`ts=@timestamp`, `id=a=b`).
    public init(specs: [String]) throws(FieldMappingError) {
        self.init()
        var replaced = Set<Field>()
        for spec in specs {
            guard let equals = spec.firstIndex(of: "=") else { throw .badSpec(spec) }
            let name = String(spec[..<equals])
            let key = String(spec[spec.index(after: equals)...])
            guard !name.isEmpty, !key.isEmpty else { throw .badSpec(spec) }
            guard let field = Field(rawValue: name) else { throw .unknownField(name, spec: spec) }
            if replaced.insert(field).inserted { keyLists[field.index] = [] }
            keyLists[field.index].append(key)
        }
    }

    /// The keys that provide `field`, in fallback order.
    public func keys(for field: Field) -> [String] {
        keyLists[field.index]
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

/// A `--field` spec that cannot be used.
public enum FieldMappingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not of the form `FIELD=KEY` with both parts non-empty.
    case badSpec(String)
    /// `FIELD` is not one of the event's fields.
    case unknownField(String, spec: String)

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
