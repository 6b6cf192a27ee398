/// A ``FieldMapping``'s keys flattened into one byte buffer, so that a line's keys are matched
/// by comparing bytes, without making a `String` per key.
struct KeyTable: Sendable {
    private struct Entry: Sendable {
        var offset: Int
        var count: Int
        var field: Int32
        /// Position in the field's fallback list: lower wins.
        var rank: Int32
    }

    private let bytes: [UInt8]
    private let entries: [Entry]

    init(_ mapping: FieldMapping) {
        var bytes: [UInt8] = []
        var entries: [Entry] = []
        for field in FieldMapping.Field.allCases {
            for (rank, key) in mapping.keys(for: field).enumerated() {
                entries.append(
                    Entry(
                        offset: bytes.count, count: key.utf8.count, field: Int32(field.index),
                        rank: Int32(rank)))
                bytes.append(contentsOf: key.utf8)
            }
        }
        self.bytes = bytes
        self.entries = entries
    }

    /// Calls `body` with the field index and rank of every entry equal to `key`.
    func forEachMatch(of key: UnsafeRawBufferPointer, _ body: (_ field: Int32, _ rank: Int32) -> Void) {
        let first = key.first ?? 0
        bytes.withUnsafeBytes { table in
            entries.withUnsafeBufferPointer { entries in
                for entry in entries where entry.count == key.count {
                    guard entry.count == 0 || table[entry.offset] == first else { continue }
                    let wanted = UnsafeRawBufferPointer(
                        rebasing: table[entry.offset..<(entry.offset + entry.count)])
                    if Self.same(wanted, key) { body(entry.field, entry.rank) }
                }
            }
        }
    }

    /// Whether two byte strings are equal, comparing eight bytes at a time.
    static func same(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
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
struct FieldWinners {
    private var member = SIMD8<Int32>(repeating: -1)
    private var rank = SIMD8<Int32>(repeating: .max)

    mutating func offer(member index: Int, field: Int32, rank: Int32) {
        let f = Int(field)
        if rank < self.rank[f] {
            self.rank[f] = rank
            member[f] = Int32(index)
        }
    }

    /// The index of the member providing `field`, or nil when the line does not provide it.
    func member(for field: FieldMapping.Field) -> Int? {
        let index = member[field.index]
        return index < 0 ? nil : Int(index)
    }
}
