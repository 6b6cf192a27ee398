import TaskLedgerCore
import TaskLedgerDecoding

/// How another system's JSON lines map onto task-ledger events, and which lifecycle rules that
/// system follows: a rules file (SPEC §3) plus `fields:` (dotted paths per field, tried in
/// order), `only:` (which lines are task events) and `source:` (stamped when a line has none).
public struct Profile: Sendable, Equatable {
    /// A short name (`github-actions`); for a file, whatever its `name:` says.
    public var name: String
    /// One line for people (`task-ledger profiles`).
    public var summary: String
    /// The lifecycle the system's tasks follow; open the ``Ledger`` with them
    /// (`Ledger(db, rules: profile.rules)`) so that its events are judged by them.
    public var rules: Rules
    /// Which keys of a line provide which field.
    public var mapping: FieldMapping
    /// Which lines are task events (`only:`); the others are counted as skipped.
    package var selection: LineSelection
    /// The source of events whose line has none.
    public var source: String?
    /// The text forms of `ts` the system writes (`ts_formats:`; default RFC 3339 only).
    public var timestampFormats: Set<TimestampFormat>

    package init(
        name: String, summary: String = "", rules: Rules = .standard, mapping: FieldMapping = .init(),
        selection: LineSelection = .everything, source: String? = nil, timestampFormats: Set<TimestampFormat> = [.rfc3339]
    ) {
        self.timestampFormats = timestampFormats
        self.name = name
        self.summary = summary
        self.rules = rules
        self.mapping = mapping
        self.selection = selection
        self.source = source
    }

    /// A decoder reading lines as this profile says; `--field` specs replace single fields.
    public func decoder(fieldSpecs: [String] = []) throws(FieldMappingError) -> EventDecoder {
        EventDecoder(
            mapping: try FieldMapping(specs: fieldSpecs, base: mapping), selection: selection,
            defaultSource: source, timestampFormats: timestampFormats)
    }
}

extension Profile {
    /// The names of the built-in profiles, in the order `task-ledger profiles` lists them.
    public static let builtInNames = [
        "default", "github-actions", "gitlab-ci", "celery", "dbt", "openlineage", "temporal", "aws-step-functions",
    ]

    /// The YAML text of a built-in profile, exactly as shipped in `profiles/`.
    public static func builtInText(named name: String) -> String? {
        let bytes: [UInt8]? =
            switch name {
            case "default": PackageResources.profile_default_yaml
            case "github-actions": PackageResources.profile_github_actions_yaml
            case "celery": PackageResources.profile_celery_yaml
            case "gitlab-ci": PackageResources.profile_gitlab_ci_yaml
            case "openlineage": PackageResources.profile_openlineage_yaml
            case "dbt": PackageResources.profile_dbt_yaml
            case "temporal": PackageResources.profile_temporal_yaml
            case "aws-step-functions": PackageResources.profile_aws_step_functions_yaml
            default: nil
            }
        return bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    /// A built-in profile, or nil if there is none of that name.
    public static func builtIn(named name: String) -> Profile? {
        guard let text = builtInText(named: name) else { return nil }
        do {
            return try Profile(yaml: text, file: "profiles/\(name).yaml")
        } catch {
            preconditionFailure("built-in profile \(name) does not load: \(error)")
        }
    }
}
