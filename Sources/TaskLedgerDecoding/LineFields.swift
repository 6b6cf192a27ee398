import TaskLedgerCore

/// The event fields of one scanned line, read and type-checked per SPEC §2 and §7.
package struct LineFields {
    package typealias Field = FieldMapping.Field

    /// What a line provides for one field.
    package enum Read<Value> {
        case absent
        case valid(Value)
        case badField(String)
        case badTimestamp(String)

        package var value: Value? {
            if case .valid(let value) = self { value } else { nil }
        }

        package var isAbsent: Bool {
            if case .absent = self { true } else { false }
        }

        package var badFieldMessage: String? {
            if case .badField(let message) = self { message } else { nil }
        }
    }

    /// Where the line's fields are: found by key (``FieldWinners``), or by ``FieldPaths``
    /// when the mapping has nested paths (one lookup per field, in `Field.index` order).
    package enum Locations {
        case keys(FieldWinners)
        case paths([FieldPaths.Lookup])
    }

    /// One field's value in the line.
    private enum Located {
        case absent
        /// `member`: the top-level member holding it; `path`: set when it is nested.
        case value(JSONValue, member: Int?, path: FieldPath?)
        case notAnObject(path: FieldPath, prefix: String, found: JSONKind)
        /// A template's text, or a template part without text: the details are in the field's
        /// lookup (``FieldPaths/Lookup``). No payload here keeps this enum as small to copy as
        /// it was before templates (measured: the default path copies it per field).
        case composed
    }

    package let line: ScannedLine
    package let locations: Locations
    package let mapping: FieldMapping
    /// The source of events whose line has none (a profile's `source:`).
    package var defaultSource: String?
    /// The text forms of `ts` accepted (a profile's `ts_formats:`), as flags: a set lookup per
    /// line hashes (measured +5 % instructions on the default path).
    private let acceptsRFC3339: Bool
    private let acceptsSpaced: Bool
    /// Whether a field can be a template's text (the mapping has one): checked before anything
    /// else is looked up, so that the default path pays one branch per field.
    private let mayCompose: Bool

    package init(
        line: ScannedLine, locations: Locations, mapping: FieldMapping, defaultSource: String?,
        acceptsRFC3339: Bool = true, acceptsSpaced: Bool = false, mayCompose: Bool = false
    ) {
        self.line = line
        self.locations = locations
        self.mapping = mapping
        self.defaultSource = defaultSource
        self.acceptsRFC3339 = acceptsRFC3339
        self.acceptsSpaced = acceptsSpaced
        self.mayCompose = mayCompose
    }

    private func locate(_ field: Field) -> Located {
        switch locations {
        case .keys(let winners):
            guard let index = winners.member(for: field) else { return .absent }
            return .value(line.members[index].value, member: index, path: nil)
        case .paths(let lookups):
            switch lookups[field.index] {
            case .absent: return .absent
            case .found(let value, let member, let path):
                return .value(value, member: member, path: member == nil ? path : nil)
            case .notAnObject(let path, let prefix, let found): return .notAnObject(path: path, prefix: prefix, found: found)
            case .composed, .notComposable: return .composed
            }
        }
    }

    /// The event, or the first reject in SPEC §4 order.
    package func event() -> Result<StatusEvent, LineReject> {
        let task = readTask()
        let state = readString(.state)
        let ts = readTimestamp()
        let id = readString(.id)
        func reject(_ kind: RejectKind, _ message: String) -> Result<StatusEvent, LineReject> {
            .failure(
                LineReject(
                    kind: kind, message: message, task: task.value, state: state.value,
                    timestamp: ts.value, id: id.value))
        }
        if task.isAbsent { return reject(.missingField, missing(.task)) }
        if state.isAbsent { return reject(.missingField, missing(.state)) }
        if ts.isAbsent { return reject(.missingField, missing(.ts)) }
        let actor = readString(.actor)
        let source = readString(.source)
        let stage = readString(.stage)
        let detail = readString(.detail)
        if let message = task.badFieldMessage ?? state.badFieldMessage ?? ts.badFieldMessage
            ?? id.badFieldMessage ?? actor.badFieldMessage ?? source.badFieldMessage
            ?? stage.badFieldMessage ?? detail.badFieldMessage
        {
            return reject(.badField, message)
        }
        if case .badTimestamp(let message) = ts { return reject(.badTimestamp, message) }
        guard let taskText = task.value, let stateText = state.value, let timestamp = ts.value
        else { preconditionFailure("every required field is valid once the checks pass") }
        return .success(
            StatusEvent(
                task: taskText, state: stateText, timestamp: timestamp, id: id.value,
                actor: actor.value ?? "", source: source.value ?? defaultSource ?? "", stage: stage.value ?? "",
                detail: detail.value ?? "", attrs: line.attrsJSON()))
    }

    /// The value of `field`, or the read to return when there is none to type-check.
    private func value(_ field: Field) -> (JSONValue, Located)? {
        let located = locate(field)
        if case .value(let value, _, _) = located { return (value, located) }
        return nil
    }

    /// What to return for a field that has no value: absent, or a path the line cannot follow.
    private func noValue<Value>(_ field: Field) -> Read<Value> {
        switch locate(field) {
        case .notAnObject(let path, let prefix, let found):
            return .badField(
                "field \(field) (path \"\(path)\"): \(prefix) is \(found.withArticle), not an object; "
                    + "paths go through objects only")
        case .composed:
            guard case .notComposable(let path, let part, let found) = lookup(field) else { return .absent }
            return .badField(
                "field \(field) (template \"\(path)\"): \(part) is \(found.withArticle); "
                    + "a template takes strings, numbers and booleans")
        default:
            return .absent
        }
    }

    /// The field's lookup by paths (nil when fields are located by key).
    private func lookup(_ field: Field) -> FieldPaths.Lookup? {
        if case .paths(let lookups) = locations { return lookups[field.index] }
        return nil
    }

    /// A template's text, when `field` is one: checked like a string field's.
    private func composedText(_ field: Field) -> Read<String>? {
        guard case .composed(let text, let path) = lookup(field) else { return nil }
        if text.utf8.contains(0) { return .badField(StatusEvent.nulRefusal(field: "\(field) (template \"\(path)\")")) }
        return .valid(text)
    }

    /// `task`: a string, or an integer literal taken as its decimal text (`7` is task "7").
    private func readTask() -> Read<String> {
        if mayCompose, let composed = composedText(.task) { return composed }
        guard let (value, located) = value(.task) else { return noValue(.task) }
        switch value.kind {
        case .string:
            return text(.task, located, value)
        case .number where value.isInteger:
            return .valid(String(decoding: line.raw(value.start..<value.end), as: UTF8.self))
        default:
            return .badField(wrongType(.task, located, value, expected: "a string or an integer"))
        }
    }

    private func readString(_ field: Field) -> Read<String> {
        if mayCompose, let composed = composedText(field) { return composed }
        guard let (value, located) = value(field) else { return noValue(field) }
        guard value.kind == .string else {
            return .badField(wrongType(field, located, value, expected: "a string"))
        }
        return text(field, located, value)
    }

    /// A string field's text; an escaped NUL (`\u0000`) is refused (``StatusEvent/nulRefusal(field:)``).
    private func text(_ field: Field, _ located: Located, _ value: JSONValue) -> Read<String> {
        let text = line.text(of: value)
        if value.hasEscapes, text.utf8.contains(0) {
            return .badField(StatusEvent.nulRefusal(field: name(field, located)))
        }
        return .valid(text)
    }

    /// `ts`: an RFC 3339 string or a number of epoch seconds (milliseconds from 1e11).
    private func readTimestamp() -> Read<Int64> {
        if mayCompose, case .composed(let text, _) = lookup(.ts) {
            guard let ms = parseText(text) else { return .badTimestamp("ts '\(text)' is not \(formatNames)") }
            return .valid(ms)
        }
        guard let (value, located) = value(.ts) else { return noValue(.ts) }
        switch value.kind {
        case .string:
            let contents = line.raw(value.contents)
            var ms: Int64?
            if acceptsRFC3339 {
                ms = value.hasEscapes
                    ? Timestamp.parseRFC3339(line.text(of: value))
                    : contents.withMemoryRebound(to: UInt8.self) { Timestamp.parseRFC3339(bytes: $0) }
            }
            if ms == nil, acceptsSpaced { ms = Timestamp.parseSpaced(line.text(of: value)) }
            guard let ms else {
                return .badTimestamp("ts '\(excerpt(value.contents))' is not \(formatNames)")
            }
            return .valid(ms)
        case .number:
            guard let ms = Timestamp.fromEpochLiteral(line.raw(value.start..<value.end)) else {
                let literal = excerpt(value.start..<value.end)
                return .badTimestamp("ts \(literal) is not an epoch time in years 0001–9999")
            }
            return .valid(ms)
        default:
            return .badField(
                wrongType(.ts, located, value, expected: "an RFC 3339 string or an epoch number"))
        }
    }

    /// A text ts in one of the accepted forms.
    private func parseText(_ text: String) -> Int64? {
        (acceptsRFC3339 ? Timestamp.parseRFC3339(text) : nil) ?? (acceptsSpaced ? Timestamp.parseSpaced(text) : nil)
    }

    /// The accepted forms, for a bad_timestamp message.
    private var formatNames: String {
        switch (acceptsRFC3339, acceptsSpaced) {
        case (true, false): "an RFC 3339 timestamp or epoch number"
        case (false, true): "a 'YYYY-MM-DD hh:mm:ss UTC' timestamp or epoch number"
        default: "an RFC 3339 or 'YYYY-MM-DD hh:mm:ss UTC' timestamp or epoch number"
        }
    }

    /// `task`, or `task (key "job_id")` / `task (path "a.b")` when it is not the field's name.
    private func name(_ field: Field, _ located: Located) -> String {
        guard case .value(_, let member, let path) = located else { return field.rawValue }
        if let path { return "\(field) (path \"\(path)\")" }
        guard let member else { return field.rawValue }
        let key = line.withKey(of: member) { String(decoding: $0, as: UTF8.self) }
        return key == field.rawValue ? field.rawValue : "\(field) (key \"\(key)\")"
    }

    private func missing(_ field: Field) -> String {
        "missing field \(field) (looked for \(mapping.keys(for: field).joined(separator: ", ")))"
    }

    /// `field task is a float (1.5): expected …`, naming the key when it is not the field's name.
    private func wrongType(_ field: Field, _ located: Located, _ value: JSONValue, expected: String) -> String {
        let found = value.kind == .number ? (value.isInteger ? "an integer" : "a float") : value.kind.withArticle
        return "field \(name(field, located)) is \(found) (\(excerpt(value.start..<value.end))): expected \(expected)"
    }

    /// The raw text of `range`, cut at a character boundary after 40 bytes.
    private func excerpt(_ range: Range<Int>) -> String {
        let limit = 40
        guard range.count > limit else { return String(decoding: line.raw(range), as: UTF8.self) }
        var end = range.lowerBound + limit
        while end > range.lowerBound, line.bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: line.raw(range.lowerBound..<end), as: UTF8.self) + "…"
    }
}
