import TaskLedgerCore

/// A top-level member as the decoder tracks it.
package struct ScannedMember {
    package var member: JSONMember
    /// A later member has the same key; this one's value is no longer the object's.
    package var isSuperseded = false
    /// The member provides an event field, so it stays out of `attrs`.
    package var isField = false
    /// ``KeyTable/signature(_:)`` of the raw key, or `.max` for an escaped key, whose raw bytes
    /// are not the key's; escaped keys are always compared in full.
    package let keySignature: UInt64

    package init(_ member: JSONMember, in line: UnsafeRawBufferPointer) {
        self.member = member
        guard !member.keyHasEscapes else {
            keySignature = .max
            return
        }
        let key = UnsafeRawBufferPointer(rebasing: line[member.keyStart..<member.keyEnd])
        // A key is followed by at least `":` and a value, so a word load rarely runs past the
        // line; when it would (or on a big-endian machine), read the bytes one by one.
        guard member.keyStart + 8 <= line.count, 1.littleEndian == 1 else {
            keySignature = KeyTable.signature(key)
            return
        }
        var head = line.loadUnaligned(fromByteOffset: member.keyStart, as: UInt64.self)
        if key.count < 8 { head &= (1 << (key.count * 8)) &- 1 }
        keySignature = KeyTable.signature(head: head, key)
    }

    /// Whether the keys of `self` and `other` may be equal, judging by their signatures.
    package func mayShareKey(with other: ScannedMember) -> Bool {
        keySignature == other.keySignature || keySignature == .max || other.keySignature == .max
    }

    package var value: JSONValue { member.value }
}

/// A line that scanned as a JSON object: its bytes and its top-level members in input order.
///
/// The members live in scratch memory owned by the caller, for the duration of one decode.
package struct ScannedLine {
    package let bytes: UnsafeRawBufferPointer
    package let members: UnsafeMutableBufferPointer<ScannedMember>

    package func raw(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// The decoded text of a string value.
    package func text(of value: JSONValue) -> String {
        JSONText.decodeString(raw(value.contents), hasEscapes: value.hasEscapes)
    }

    /// Calls `body` with the unescaped bytes of member `index`'s key.
    package func withKey<R>(of index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let member = members[index].member
        let rawKey = raw(member.keyStart..<member.keyEnd)
        guard member.keyHasEscapes else { return body(rawKey) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rawKey.count) { scratch in
            let count = JSONText.unescape(rawKey, into: scratch)
            let key = UnsafeMutableBufferPointer(rebasing: scratch[..<count])
            return body(UnsafeRawBufferPointer(key))
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

    /// False when no two keys can be equal: each key signature sets two bits in a 64-bit filter,
    /// and a key whose bits are both already set (or an escaped key) may repeat an earlier one.
    /// Typical lines have no duplicates and pass in a few instructions per member.
    private func mayHaveDuplicateKeys() -> Bool {
        var seen: UInt64 = 0
        for member in members {
            guard member.keySignature != .max else { return true }
            let hash = member.keySignature &* 0x9E37_79B9_7F4A_7C15
            let bits: UInt64 = 1 << (hash >> 58) | 1 << (hash >> 52 & 63)
            if seen & bits == bits { return true }
            seen |= bits
        }
        return false
    }

    /// Gives each key one member, as a parsed object would: the last occurrence's value wins and
    /// takes the place of the first occurrence (the order `attrs` keeps).
    package func mergeDuplicateKeys() {
        guard mayHaveDuplicateKeys() else { return }
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
    package func attrsJSON() -> String? {
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
            for index in members.indices
            where !members[index].isSuperseded && !members[index].isField {
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
