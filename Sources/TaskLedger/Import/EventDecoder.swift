/// Turns the bytes of one input line into a ``StatusEvent``, or a ``LineReject`` saying why not.
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
/// and only the values that become fields are turned into strings.
public struct EventDecoder: Sendable {
    /// The keys looked for, per field.
    public let mapping: FieldMapping
    private let keys: KeyTable

    /// A decoder looking for the keys of `mapping` (by default, SPEC §2's).
    public init(mapping: FieldMapping = .init()) {
        self.mapping = mapping
        self.keys = KeyTable(mapping)
    }

    /// Decodes one line, without its line end: the event it describes, or why it is rejected.
    /// A reject carries the task, state, timestamp and id where the line provides them validly.
    public func decode(_ line: UnsafeRawBufferPointer) -> Result<StatusEvent, LineReject> {
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
                return .failure(LineReject(kind: .malformed, message: error.description))
            }
            let members = UnsafeMutableBufferPointer(rebasing: scratch[..<count])
            return decode(ScannedLine(bytes: line, members: members))
        }
    }

    /// Decodes one line given as a string, without its line end.
    public func decode(_ line: String) -> Result<StatusEvent, LineReject> {
        var line = line
        return line.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    private func decode(_ line: ScannedLine) -> Result<StatusEvent, LineReject> {
        line.mergeDuplicateKeys()
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
        return LineFields(line: line, winners: winners, mapping: mapping).event()
    }
}
