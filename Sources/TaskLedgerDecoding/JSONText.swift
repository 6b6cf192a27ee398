import TaskLedgerCore

/// Byte-level pieces of JSON text: UTF-8 validation, unescaping string contents that
/// ``JSONScanner`` has validated, and minimal escaping.
package enum JSONText {
    @inline(__always)
    package static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    package static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The 0-based offset of the first byte that does not start a well-formed UTF-8 sequence
    /// (overlong forms, surrogates and code points above U+10FFFF are ill-formed), or nil.
    package static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        // Most lines are ASCII: check eight bytes at a time until a high bit shows up.
        while i + 8 <= bytes.count,
            bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
        {
            i += 8
        }
        while i < bytes.count {
            let lead = bytes[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            let continuations: Int
            switch lead {
            case 0xC2...0xDF: continuations = 1
            case 0xE0: continuations = 2; low = 0xA0
            case 0xED: continuations = 2; high = 0x9F
            case 0xE1...0xEF: continuations = 2
            case 0xF0: continuations = 3; low = 0x90
            case 0xF4: continuations = 3; high = 0x8F
            case 0xF1...0xF3: continuations = 3
            default: return i
            }
            guard i + continuations < bytes.count, (low...high).contains(bytes[i + 1]) else {
                return i
            }
            var k = 2
            while k <= continuations {
                guard bytes[i + k] & 0xC0 == 0x80 else { return i }
                k += 1
            }
            i += continuations + 1
        }
        return nil
    }

    /// The text of validated string contents (without quotes).
    package static func decodeString(_ raw: UnsafeRawBufferPointer, hasEscapes: Bool) -> String {
        guard hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        // Every escape is at least as long as what it stands for, so raw.count is enough.
        return String(unsafeUninitializedCapacity: raw.count) { unescape(raw, into: $0) }
    }

    /// Writes the unescaped form of validated string contents into `out`, which holds at least
    /// `raw.count` bytes; returns the number of bytes written.
    package static func unescape(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>)
        -> Int
    {
        var i = 0
        var n = 0
        func put(_ byte: UInt8) {
            out[n] = byte
            n += 1
        }
        func hex4(at j: Int) -> UInt32 {
            var v: UInt32 = 0
            for k in j..<(j + 4) { v = v << 4 | UInt32(hexValue(raw[k]) ?? 0) }
            return v
        }
        while i < raw.count {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\") else {
                put(byte)
                i += 1
                continue
            }
            let letter = raw[i + 1]
            i += 2
            switch letter {
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(at: i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex4(at: i + 2) - 0xDC00)
                    i += 6
                }
                for unit in Unicode.Scalar(scalar)!.utf8 { put(unit) }
            default: put(letter)  // " \ /
            }
        }
        return n
    }

    /// Writes `text` (UTF-8) into `out` at `n` as JSON string contents, escaping only what
    /// must be escaped: `"`, `\` and control characters. Returns the new `n`.
    package static func escape(
        _ text: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>, at n: Int
    ) -> Int {
        var n = n
        func put(_ byte: UInt8) {
            out[n] = byte
            n += 1
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                put(UInt8(ascii: "\\"))
                put(byte)
            case 0x08: put(UInt8(ascii: "\\")); put(UInt8(ascii: "b"))
            case 0x0C: put(UInt8(ascii: "\\")); put(UInt8(ascii: "f"))
            case 0x0A: put(UInt8(ascii: "\\")); put(UInt8(ascii: "n"))
            case 0x0D: put(UInt8(ascii: "\\")); put(UInt8(ascii: "r"))
            case 0x09: put(UInt8(ascii: "\\")); put(UInt8(ascii: "t"))
            case 0x00..<0x20:
                for unit in "\\u00".utf8 { put(unit) }
                put(hexDigit(byte >> 4))
                put(hexDigit(byte & 0xF))
            default:
                put(byte)
            }
        }
        return n
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10
    }
}
