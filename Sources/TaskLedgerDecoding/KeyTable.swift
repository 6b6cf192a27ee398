import TaskLedgerCore

/// A ``FieldMapping``'s keys flattened into one byte buffer, so that a line's keys are matched
/// by comparing bytes, without making a `String` per key.
package struct KeyTable: Sendable {
    private struct Entry: Sendable {
        var offset: Int
        var count: Int
        var field: Int32
        /// Position in the field's fallback list: lower wins.
        var rank: Int32
        var signature: UInt64
    }

    private let bytes: [UInt8]
    private let entries: [Entry]
    /// Bit `i` of `entriesOfLength[n]` is set when entry `i` is `n` bytes long; only used when
    /// there are at most 64 entries (always, short of very long `--field` lists).
    private let entriesOfLength: [UInt64]

    package init(_ mapping: FieldMapping) {
        var bytes: [UInt8] = []
        var entries: [Entry] = []
        for field in FieldMapping.Field.allCases {
            // Only top-level keys: a mapping with nested paths is resolved by `FieldPaths`.
            for (rank, path) in mapping.paths(for: field).enumerated() where path.segments.count == 1 {
                let utf8 = path.segmentBytes[0]
                entries.append(
                    Entry(
                        offset: bytes.count, count: utf8.count, field: Int32(field.index),
                        rank: Int32(rank), signature: utf8.withUnsafeBytes(Self.signature)))
                bytes.append(contentsOf: utf8)
            }
        }
        self.bytes = bytes
        self.entries = entries
        var entriesOfLength: [UInt64] = []
        if entries.count <= 64 {
            entriesOfLength = Array(repeating: 0, count: (entries.map(\.count).max() ?? 0) + 1)
            for (i, entry) in entries.enumerated() { entriesOfLength[entry.count] |= 1 << i }
        }
        self.entriesOfLength = entriesOfLength
    }

    /// Calls `body` with the field index and rank of every entry equal to `key`, whose
    /// ``signature(_:)`` is `signature`.
    package func forEachMatch(
        of key: UnsafeRawBufferPointer, signature: UInt64,
        _ body: (_ field: Int32, _ rank: Int32) -> Void
    ) {
        bytes.withUnsafeBytes { table in
            entries.withUnsafeBufferPointer { entries in
                func visit(_ entry: Entry) {
                    // Up to 8 bytes, equal lengths and signatures mean equal keys.
                    guard entry.signature == signature else { return }
                    let wanted = UnsafeRawBufferPointer(
                        rebasing: table[entry.offset..<(entry.offset + entry.count)])
                    if entry.count <= 8 || Self.same(wanted, key) { body(entry.field, entry.rank) }
                }
                guard !entriesOfLength.isEmpty else {
                    for entry in entries where entry.count == key.count { visit(entry) }
                    return
                }
                guard key.count < entriesOfLength.count else { return }
                var candidates = entriesOfLength[key.count]
                while candidates != 0 {
                    visit(entries[candidates.trailingZeroBitCount])
                    candidates &= candidates - 1
                }
            }
        }
    }

    /// A digest of a key: its first 8 bytes (zero-padded), mixed with its length and last byte
    /// when longer. Keys of the same length up to 8 bytes are equal iff their signatures are.
    package static func signature(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var head: UInt64 = 0
        for k in 0..<min(key.count, 8) { head |= UInt64(key[k]) << (8 * k) }
        return signature(head: head, key)
    }

    /// The signature of `key` whose first 8 bytes (zero-padded, little-endian) are `head`.
    @inline(__always)
    package static func signature(head: UInt64, _ key: UnsafeRawBufferPointer) -> UInt64 {
        let tail = key.count > 8 ? UInt64(key.count) << 8 | UInt64(key[key.count - 1]) : 0
        return head ^ (tail &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Whether two byte strings are equal, comparing eight bytes at a time.
    package static func same(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var i = 0
        while i + 8 <= a.count {
            guard a.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                == b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            else { return false }
            i += 8
        }
        while i < a.count {
            guard a[i] == b[i] else { return false }
            i += 1
        }
        return true
    }
}

/// For each field, the member that provides it: the present, non-null key earliest in the
/// field's fallback list.
package struct FieldWinners {
    /// Per field, `rank << 32 | member index`, so that the lowest value is the winner; `.max`
    /// while no key of the field has been seen. A tuple rather than a SIMD vector or an array:
    /// updating one slot then stays one store, without an allocation.
    private var slots: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (
        .max, .max, .max, .max, .max, .max, .max, .max
    )

    package mutating func offer(member index: Int, field: Int32, rank: Int32) {
        let candidate = UInt64(UInt32(rank)) << 32 | UInt64(UInt32(index))
        withUnsafeMutableBytes(of: &slots) { slots in
            let offset = Int(field) * MemoryLayout<UInt64>.stride
            if candidate < slots.load(fromByteOffset: offset, as: UInt64.self) {
                slots.storeBytes(of: candidate, toByteOffset: offset, as: UInt64.self)
            }
        }
    }

    /// The index of the member providing `field`, or nil when the line does not provide it.
    package func member(for field: FieldMapping.Field) -> Int? {
        let slot = withUnsafeBytes(of: slots) {
            $0.load(fromByteOffset: field.index * MemoryLayout<UInt64>.stride, as: UInt64.self)
        }
        return slot == .max ? nil : Int(UInt32(truncatingIfNeeded: slot))
    }
}
