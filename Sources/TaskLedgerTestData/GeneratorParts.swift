import TaskLedgerCore

/// SplitMix64: a tiny seeded generator, so a stream depends only on its seed (never on
/// `SystemRandomNumberGenerator`).
package struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n`.
    package mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// True with probability `p`.
    package mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) * 0x1p-53 < p }

    package mutating func pick<T>(_ options: [T]) -> T { options[below(options.count)] }
}

/// The lifecycle states the generator writes, with the spellings producers use for them.
package enum GeneratedState: UInt8 {
    case received, queued, running, waiting, retrying, succeeded, failed, cancelled, timedOut

    package var canonical: StaticString {
        switch self {
        case .received: "RECEIVED"
        case .queued: "QUEUED"
        case .running: "RUNNING"
        case .waiting: "WAITING"
        case .retrying: "RETRYING"
        case .succeeded: "SUCCEEDED"
        case .failed: "FAILED"
        case .cancelled: "CANCELLED"
        case .timedOut: "TIMED_OUT"
        }
    }

    /// Spellings that normalise to this state under the default rules (SPEC §3).
    package var aliases: [StaticString] {
        switch self {
        case .received: ["new", "submitted", "received"]
        case .queued: ["pending", "queued"]
        case .running: ["in-progress", "started", "running", "In Progress"]
        case .waiting: ["blocked", "paused"]
        case .retrying: ["retry", "retrying"]
        case .succeeded: ["done", "completed", "success", "ok"]
        case .failed: ["error", "failure", "failed"]
        case .cancelled: ["canceled", "aborted", "revoked"]
        case .timedOut: ["timeout", "expired", "timed-out"]
        }
    }

    package var isTerminal: Bool { rawValue >= GeneratedState.succeeded.rawValue }
}

/// Bytes of the JSONL being generated, built without `String` so a million lines stay cheap.
package struct LineBytes {
    private(set) var bytes: [UInt8] = []

    package init(capacity: Int) { bytes.reserveCapacity(capacity) }

    package var count: Int { bytes.count }

    package mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    package mutating func put(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    package mutating func put(_ other: ArraySlice<UInt8>) { bytes.append(contentsOf: other) }

    package mutating func put(byte: UInt8) { bytes.append(byte) }

    /// A JSON string: `"text"` (the generator's texts need no escaping).
    package mutating func quoted(_ text: StaticString) {
        put(byte: 0x22)
        put(text)
        put(byte: 0x22)
    }

    /// `"key":`
    package mutating func key(_ name: StaticString) {
        quoted(name)
        put(byte: 0x3A)
    }

    package mutating func put(_ value: Int64) {
        var v = value
        if v < 0 {
            put(byte: 0x2D)
            v = -v
        }
        put(unsigned: UInt64(v), width: 1)
    }

    /// Decimal digits, zero-padded to `width`.
    package mutating func put(unsigned value: UInt64, width: Int) {
        var length = 1
        var probe = value / 10
        while probe > 0 {
            length += 1
            probe /= 10
        }
        let total = max(length, width)
        let first = bytes.count
        bytes.append(contentsOf: repeatElement(0x30, count: total))
        var rest = value
        var i = first + total - 1
        while rest > 0 {
            bytes[i] = 0x30 + UInt8(rest % 10)
            rest /= 10
            i -= 1
        }
    }

    /// A version 4 UUID from 128 random bits: `8-4-4-4-12` lowercase hex digits.
    package mutating func uuid(_ high: UInt64, _ low: UInt64) {
        let words = [high & 0xFFFF_FFFF_FFFF_0FFF | 0x4000, low & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000]
        for digit in 0..<32 {
            if digit == 8 || digit == 12 || digit == 16 || digit == 20 { put(byte: 0x2D) }
            let nibble = words[digit / 16] >> UInt64(60 - digit % 16 * 4) & 15
            put(byte: Self.hexDigits[Int(nibble)])
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// RFC 3339 with milliseconds, written with the given offset (`Z` when 0).
    package mutating func rfc3339(_ ms: Int64, offsetMinutes: Int) {
        let local = ms + Int64(offsetMinutes) * 60_000
        let (days, inDay) = local.floorDivided(by: 86_400_000)
        let (year, month, day) = Timestamp.civilFromDays(Int(days))
        put(unsigned: UInt64(year), width: 4)
        put(byte: 0x2D)
        put(unsigned: UInt64(month), width: 2)
        put(byte: 0x2D)
        put(unsigned: UInt64(day), width: 2)
        put(byte: 0x54)
        put(unsigned: UInt64(inDay / 3_600_000), width: 2)
        put(byte: 0x3A)
        put(unsigned: UInt64(inDay / 60_000 % 60), width: 2)
        put(byte: 0x3A)
        put(unsigned: UInt64(inDay / 1000 % 60), width: 2)
        put(byte: 0x2E)
        put(unsigned: UInt64(inDay % 1000), width: 3)
        if offsetMinutes == 0 {
            put(byte: 0x5A)
        } else {
            put(byte: offsetMinutes > 0 ? 0x2B : 0x2D)
            put(unsigned: UInt64(abs(offsetMinutes) / 60), width: 2)
            put(byte: 0x3A)
            put(unsigned: UInt64(abs(offsetMinutes) % 60), width: 2)
        }
    }
}
