/// A top-level member as the decoder tracks it.
struct ScannedMember {
    var member: JSONMember
    /// A later member has the same key; this one's value is no longer the object's.
    var isSuperseded = false
    /// The member provides an event field, so it stays out of `attrs`.
    var isField = false
    /// Length and end bytes of the key: equal keys have equal signatures, and most different
    /// keys do not. `.max` for escaped keys, which must always be compared in full.
    let keySignature: UInt64

    init(_ member: JSONMember, in line: UnsafeRawBufferPointer) {
        self.member = member
        let count = member.keyEnd - member.keyStart
        keySignature =
            member.keyHasEscapes
            ? .max
            : count == 0
                ? 0
                : UInt64(count) << 16 | UInt64(line[member.keyStart]) << 8
                    | UInt64(line[member.keyEnd - 1])
    }

    /// Whether the keys of `self` and `other` may be equal, judging by their signatures.
    func mayShareKey(with other: ScannedMember) -> Bool {
        keySignature == other.keySignature || keySignature == .max || other.keySignature == .max
    }

    var value: JSONValue { member.value }
}

/// A line that scanned as a JSON object: its bytes and its top-level members in input order.
///
/// The members live in scratch memory owned by the caller, for the duration of one decode.
struct ScannedLine {
    let bytes: UnsafeRawBufferPointer
    let members: UnsafeMutableBufferPointer<ScannedMember>

    func raw(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// The decoded text of a string value.
    func text(of value: JSONValue) -> String {
        JSONText.decodeString(raw(value.contents), hasEscapes: value.hasEscapes)
    }

    /// Calls `body` with the unescaped bytes of member `index`'s key.
    func withKey<R>(of index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let member = members[index].member
        let rawKey = raw(member.keyStart..<member.keyEnd)
        guard member.keyHasEscapes else { return body(rawKey) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rawKey.count) { scratch in
            let count = JSONText.unescape(rawKey, into: scratch)
            return body(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: scratch[..<count])))
        }
    }

    private func sameKey(_ i: Int, _ j: Int) -> Bool {
        let a = members[i].member
        let b = members[j].member
        if !a.keyHasEscapes, !b.keyHasEscapes {
            return KeyTable.same(raw(a.keyStart..<a.keyEnd), raw(b.keyStart..<b.keyEnd))
        }
        return withKey(of: i) { keyA in withKey(of: j) { KeyTable.same(keyA, $0) } }
    }

    /// Gives each key one member, as a parsed object would: the last occurrence's value wins and
    /// takes the place of the first occurrence (the order `attrs` keeps).
    func mergeDuplicateKeys() {
        if members.count <= 32 {
            for i in members.indices where !members[i].isSuperseded {
                for j in (i + 1)..<members.count
                where !members[j].isSuperseded && members[i].mayShareKey(with: members[j]) {
                    guard sameKey(i, j) else { continue }
                    members[i].member.value = members[j].value
                    members[j].isSuperseded = true
                }
            }
            return
        }
        // Many members: find repeats through a dictionary rather than comparing every pair.
        var first: [[UInt8]: Int] = [:]
        for j in members.indices {
            let key = withKey(of: j) { Array($0) }
            if let i = first[key] {
                members[i].member.value = members[j].value
                members[j].isSuperseded = true
            } else {
                first[key] = j
            }
        }
    }

    /// The members that provide no field, as a compact JSON object in input order: keys
    /// re-escaped minimally, values copied as their raw JSON text. Nil when there are none.
    func attrsJSON() -> String? {
        // "{" or "," + quotes + ":" per member, then "}"; a re-escaped key is never longer than
        // its raw form.
        var capacity = 1
        for slot in members where !slot.isSuperseded && !slot.isField {
            capacity += 4 + slot.member.keyEnd - slot.member.keyStart + slot.value.end
                - slot.value.start
        }
        guard capacity > 1 else { return nil }
        return String(unsafeUninitializedCapacity: capacity) { out in
            var n = 0
            func put(_ byte: UInt8) {
                out[n] = byte
                n += 1
            }
            func copy(_ range: Range<Int>) {
                UnsafeMutableRawPointer(out.baseAddress! + n).copyMemory(
                    from: bytes.baseAddress! + range.lowerBound, byteCount: range.count)
                n += range.count
            }
            for index in members.indices where !members[index].isSuperseded && !members[index].isField {
                let member = members[index].member
                put(n == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
                put(UInt8(ascii: "\""))
                if member.keyHasEscapes {
                    n = withKey(of: index) { JSONText.escape($0, into: out, at: n) }
                } else {
                    copy(member.keyStart..<member.keyEnd)
                }
                put(UInt8(ascii: "\""))
                put(UInt8(ascii: ":"))
                copy(member.value.start..<member.value.end)
            }
            put(UInt8(ascii: "}"))
            return n
        }
    }
}
