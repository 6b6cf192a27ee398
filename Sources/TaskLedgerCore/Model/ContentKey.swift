/// A stable 64-bit FNV-1a hash of an event's identity fields, used to find duplicates of
/// id-less events through an integer index (the full values are compared on a hit).
///
/// Swift's `Hasher` is seeded per process, so it cannot be stored; FNV-1a is stable forever.
package struct FNV1a: Sendable {
    package private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    package init() {}

    package mutating func combine(_ text: String) {
        // Native Strings are contiguous UTF-8: hash the buffer, not an iterator over it.
        if text.utf8.withContiguousStorageIfAvailable({ combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            for byte in text.utf8 { combine(byte: byte) }
        }
        combine(byte: 0x1F)  // unit separator: ("ab","c") and ("a","bc") differ
    }

    package mutating func combine(_ number: Int64) {
        var v = UInt64(bitPattern: number)
        for _ in 0..<8 {
            combine(byte: UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    package mutating func combine(bytes: UnsafeRawBufferPointer) {
        var h = value
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        value = h
    }

    @inline(__always)
    package mutating func combine(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    /// The hash as SQLite stores integers.
    package var signed: Int64 { Int64(bitPattern: value) }
}

extension StatusEvent {
    /// The dedupe key of an id-less event: task, state (canonical, or raw if unknown), ts,
    /// actor, source, stage, detail (SPEC §7). Extra keys do not count.
    package func contentKey(state: String) -> Int64 {
        var h = FNV1a()
        h.combine(task)
        h.combine(state)
        h.combine(timestamp)
        h.combine(actor)
        h.combine(source)
        h.combine(stage)
        h.combine(detail)
        return h.signed
    }
}
