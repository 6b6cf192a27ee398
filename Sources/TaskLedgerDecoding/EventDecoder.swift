import TaskLedgerCore

/// Turns the bytes of one input line into a ``StatusEvent``, or a reject saying why not: what
/// ``Ledger/importFile(_:decoder:batchSize:progress:shouldStop:)`` reads each line with.
///
/// The checks follow SPEC §4 in order: `malformed` (not one strict RFC 8259 object, invalid
/// UTF-8, nesting deeper than 512), then `missing_field`, then `bad_field`, then `bad_timestamp`.
/// The first missing or bad field in the order task, state, ts, id, actor, source, stage, detail
/// names the reject.
///
/// Keys follow SPEC §7: each field takes the first key of its fallback list (see
/// ``FieldMapping``) that is present with a non-null value, and uses that value even when its
/// type is wrong. When a key occurs more than once in a line, the **last occurrence wins**, as
/// in most JSON parsers; the earlier ones are ignored (also for `attrs`, where the key keeps the
/// position of its first occurrence). Every other member — including losing fallback keys and
/// keys whose value is null — is kept in the event's `attrs`.
///
/// Decoding allocates nothing per key: keys are compared as bytes against the mapping's keys,
/// and only the values that become fields are turned into strings. A mapping with nested paths
/// (a profile's `workflow_job.id`) looks each path up instead, scanning the objects it goes
/// through again; a profile's `only:` conditions are checked before any field.
public struct EventDecoder: Sendable {
    /// The keys looked for, per field.
    package let mapping: FieldMapping
    /// Which lines are task events (a profile's `only:`); the others are skipped.
    package let selection: LineSelection
    /// The source of events whose line has none (a profile's `source:`).
    package let defaultSource: String?
    /// What a `$file` path reads: the name of the file being imported (see ``reading(file:)``).
    package private(set) var fileName: String?
    private let keys: KeyTable
    /// The text forms of `ts` accepted besides epoch numbers (a profile's `ts_formats:`), and
    /// whether a path is a template: flags, read for every line.
    private let acceptsRFC3339: Bool, acceptsSpaced: Bool, hasTemplates: Bool
    /// ``FieldMapping/hasNestedPaths``, computed once rather than per line.
    private let usesPaths: Bool

    /// A decoder of SPEC §2 lines: the standard keys, every line an event. For another
    /// system's keys, use a ``Profile``'s ``Profile/decoder(fieldSpecs:)``.
    public init() {
        self.init(mapping: FieldMapping())
    }

    package init(
        mapping: FieldMapping, selection: LineSelection = .everything, defaultSource: String? = nil,
        timestampFormats: Set<TimestampFormat> = [.rfc3339]
    ) {
        self.mapping = mapping
        self.selection = selection
        self.defaultSource = defaultSource
        acceptsRFC3339 = timestampFormats.contains(.rfc3339)
        acceptsSpaced = timestampFormats.contains(.spaced)
        hasTemplates = FieldMapping.Field.allCases.contains { mapping.paths(for: $0).contains { $0.template != nil } }
        self.keys = KeyTable(mapping)
        self.usesPaths = mapping.hasNestedPaths
    }

    /// This decoder for the lines of `file` (as given on the command line; `-` is stdin, for
    /// which `$file` is absent): what a profile's `$file` path reads.
    package func reading(file: String) -> EventDecoder {
        var copy = self
        copy.fileName = file == "-" ? nil : FieldPath.fileTask(file)
        return copy
    }

    /// What one line is.
    package enum Reading: Sendable {
        case event(StatusEvent)
        case reject(LineReject)
        /// A valid JSON object that ``selection`` leaves out.
        case skipped
    }

    /// Reads one line, without its line end: an event, why it is rejected, or skipped because
    /// it is not a task event. A reject carries the task, state, timestamp and id where the line
    /// provides them validly.
    package func read(_ line: UnsafeRawBufferPointer) -> Reading {
        // The shortest member, `"":0`, plus its separator takes 5 bytes: that bounds the count.
        withUnsafeTemporaryAllocation(of: ScannedMember.self, capacity: line.count / 5 + 1) {
            scratch in
            var count = 0
            do throws(JSONSyntaxError) {
                try JSONScanner.scanObject(line) { member in
                    scratch.initializeElement(at: count, to: ScannedMember(member, in: line))
                    count += 1
                }
            } catch {
                return .reject(LineReject(kind: .malformed, message: error.description))
            }
            let members = UnsafeMutableBufferPointer(rebasing: scratch[..<count])
            return read(ScannedLine(bytes: line, members: members))
        }
    }

    /// Decodes one line, without its line end: the event it describes, or why it is rejected.
    /// A line that ``selection`` leaves out is a `missing_field` reject here; ``read(_:)`` tells
    /// it apart.
    package func decode(_ line: UnsafeRawBufferPointer) -> Result<StatusEvent, LineReject> {
        switch read(line) {
        case .event(let event): .success(event)
        case .reject(let reject): .failure(reject)
        case .skipped: .failure(LineReject(kind: .missingField, message: "not a task event (left out by only:)"))
        }
    }

    /// Decodes one line given as a string, without its line end.
    package func decode(_ line: String) -> Result<StatusEvent, LineReject> {
        var line = line
        return line.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Reads one line given as a string, without its line end.
    package func read(_ line: String) -> Reading {
        var line = line
        return line.withUTF8 { read(UnsafeRawBufferPointer($0)) }
    }

    private func read(_ line: ScannedLine) -> Reading {
        line.mergeDuplicateKeys()
        if !selection.isEverything, !selection.admits(FieldPaths(line: line, fileName: fileName)) { return .skipped }
        let locations: LineFields.Locations
        if usesPaths {
            locations = .paths(locateByPaths(line))
        } else {
            locations = .keys(locateByKeys(line))
        }
        let fields = LineFields(
            line: line, locations: locations, mapping: mapping, defaultSource: defaultSource,
            acceptsRFC3339: acceptsRFC3339, acceptsSpaced: acceptsSpaced, mayCompose: hasTemplates)
        switch fields.event() {
        case .success(let event): return .event(event)
        case .failure(let reject): return .reject(reject)
        }
    }

    /// The fast path: every field is a top-level key, matched by bytes in one pass.
    private func locateByKeys(_ line: ScannedLine) -> FieldWinners {
        var winners = FieldWinners()
        for index in line.members.indices
        where !line.members[index].isSuperseded && line.members[index].value.kind != .null {
            line.withKey(of: index) { key in
                let signature = line.members[index].keySignature
                keys.forEachMatch(
                    of: key, signature: signature != .max ? signature : KeyTable.signature(key)
                ) { field, rank in
                    winners.offer(member: index, field: field, rank: rank)
                }
            }
        }
        for field in FieldMapping.Field.allCases {
            if let index = winners.member(for: field) { line.members[index].isField = true }
        }
        return winners
    }

    /// Nested paths: each field's paths looked up in order. Only a member that is a field's
    /// whole value leaves `attrs`; an object a path reads into stays there whole.
    private func locateByPaths(_ line: ScannedLine) -> [FieldPaths.Lookup] {
        let paths = FieldPaths(line: line, fileName: fileName)
        return FieldMapping.Field.allCases.map { field in
            let lookup = paths.first(of: mapping.paths(for: field))
            if case .found(_, let member?, _) = lookup { line.members[member].isField = true }
            return lookup
        }
    }
}

/// A text form of `ts` a profile accepts (`ts_formats:`); epoch numbers are always accepted.
public enum TimestampFormat: String, Sendable, Hashable, CaseIterable {
    /// RFC 3339 (SPEC §7): `2026-11-24T10:00:00.5Z`, `…+01:00`.
    case rfc3339
    /// A space between date and time and a zone after another space: `2023-01-10 13:50:05 UTC`,
    /// `2023-01-10 13:50:05 +0100` or `+01:00` (GitLab's webhooks), optional fraction.
    case spaced
}
