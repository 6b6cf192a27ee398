/// A fixed-size Bloom filter over dedupe keys: an import's reading thread keeps one holding the
/// ledger's keys (see ``SnapshotCache/start(_:loadingKeys:filterLimit:)``) and those of every
/// event it reads, so that a line that is certainly new needs no index probe.
///
/// Whether its "absent" may be believed is the writer's call (``SnapshotCache/believesMaybeSeen``:
/// not once another connection has committed); "maybe present" falls back to the SQL probe,
/// which decides. Memory is fixed per filter (``bits(forKeys:lines:)``: at most 8 MiB, or 16 MiB
/// for a ledger of more than 4M keys), so a larger import only raises the rate of probes, never
/// the memory.
package final class DedupeFilter {
    private var words: [UInt64]
    private let mask: UInt64

    /// The size for a ledger holding `keys` dedupe keys before an import adds its own: 8 MiB
    /// (a 1M-line import into an empty ledger: about 1 false positive in 500,000), 16 MiB above
    /// 4M keys. Measured on night 8 of bench/nightly (8.9M keys once it is read): 8 MiB gave
    /// about 3.6% false positives, each an SQL probe of three id tables whose biggest is not in
    /// the page cache — 13% of the import's samples; 16 MiB gives about 0.2%.
    ///
    /// With `lines`, about the most lines the import can add (nil: not known, as for stdin),
    /// no more than 64 bits per key and line, and at least 2^16 (8 KiB): a small ledger keeps a
    /// small filter (version 7 kept 8 MiB for a ledger of 46 events). The fixed sizes are the
    /// most, so that a big ledger's filter is the one it has always had.
    package static func bits(forKeys keys: Int64, lines: Int64? = nil) -> Int {
        let most = keys > 4_000_000 ? 1 << 27 : 1 << 26
        guard let lines else { return most }
        let sum = max(0, keys).addingReportingOverflow(max(0, lines))
        let wanted = sum.partialValue.multipliedReportingOverflow(by: 64)
        let huge = sum.overflow || wanted.overflow
        var bits = 1 << 16
        while bits < most, huge || Int64(bits) < wanted.partialValue { bits <<= 1 }
        return bits
    }

    package init(bits: Int = 1 << 26) {
        precondition(bits.nonzeroBitCount == 1 && bits >= 512 && bits <= 1 << 28)
        words = Array(repeating: 0, count: bits / 64)
        mask = UInt64(bits - 1)
    }

    /// The filter's size in bits.
    package var bits: Int { words.count * 64 }

    /// The filter's words as bytes (native byte order), for a store to keep them.
    package func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try words.withUnsafeBytes(body)
    }

    /// Fills the filter's words from bytes kept by ``withBytes(_:)`` (`fill` writes all
    /// `bits / 8` bytes, or throws and the filter must not be used).
    package func fill(_ fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        try words.withUnsafeMutableBytes(fill)
    }

    /// False only if `key` was certainly never added.
    package func mayContain(_ key: Key) -> Bool {
        var found = true
        forEachBit(key) { word, bit in found = found && words[word] & bit != 0 }
        return found
    }

    package func add(_ key: Key) {
        forEachBit(key) { word, bit in words[word] |= bit }
    }

    @inline(__always)
    private func forEachBit(_ key: Key, _ body: (Int, UInt64) -> Void) {
        // A blocked filter: one well-mixed 64-bit value (splitmix64's finalizer) picks a 512-bit
        // block — one cache line — and five bits in it (bits 0–44 of the value; the block comes
        // from bits 45–63, room for 2^28 bits), so that a probe costs one cache miss instead of
        // five (measured at 1M lines: a three-line version spent 4% of the writing thread's
        // samples in these two functions). Five bits rather than three: at 7 bits per key (8.9M
        // keys in 8 MiB) 2.8% false positives instead of 3.6%, at 15 bits 0.2% instead of 0.7%.
        var z = key.value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let block = Int((z >> 45) & (mask >> 9)) << 3
        for probe in 0..<5 {
            let bit = Int((z >> (9 * probe)) & 511)
            body(block + (bit >> 6), 1 << UInt64(bit & 63))
        }
    }

    /// What an event is deduplicated by: its id's hash, or (without one) its content key — the
    /// value a ledger keeps in its dedupe tables for the row (v7: one table for both kinds, so
    /// the key is the stored column itself). An id's key may equal a content key by chance, as
    /// two ids' may: whoever finds a key compares the full values, the kind included.
    package struct Key {
        package let value: UInt64

        package static func id(_ id: String) -> Key {
            var h = FNV1a()
            h.combine(id)
            return Key(value: h.value)
        }

        /// A key as a ledger stores it (`task_events.id_key`, `content_key`, the dedupe tables).
        package init(stored: Int64) { value = UInt64(bitPattern: stored) }

        private init(value: UInt64) { self.value = value }

        /// The key as a ledger stores it: SQLite integers are signed.
        package var stored: Int64 { Int64(bitPattern: value) }

        /// The key of an id given as its UTF-8 bytes: equal to `id(String(bytes))`.
        package static func id(bytes: UnsafeRawBufferPointer) -> Key {
            var h = FNV1a()
            h.combine(bytes: bytes)
            h.combine(byte: 0x1F)
            return Key(value: h.value)
        }

        /// The key of a stored row from its `id_key` (NULL without an id) and `content_key`.
        package static func stored(idKey: Int64?, contentKey: Int64) -> Key {
            Key(stored: idKey ?? contentKey)
        }

        /// The key of an event without an id: its content key as it is (version 6 and before
        /// mixed it with a constant, so that the filter kept the kinds apart; the dedupe tables
        /// hold the stored column, and filters saved then are not loaded).
        package static func content(_ contentKey: Int64) -> Key { Key(stored: contentKey) }
    }
}
