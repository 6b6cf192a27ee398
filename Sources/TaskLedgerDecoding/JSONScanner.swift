import TaskLedgerCore

/// A strict RFC 8259 scanner for a line holding exactly one JSON object.
///
/// It validates the whole line — UTF-8, string escapes (no lone surrogates), number grammar (no
/// leading zeros, NaN or Infinity), nesting up to ``maximumDepth``, nothing after the object —
/// and reports each top-level member as it goes, without building a tree or a dictionary.
///
/// Duplicate keys are reported as they occur; deciding that the last occurrence wins is the
/// caller's business (see ``EventDecoder``).
package struct JSONScanner {
    /// The deepest nesting accepted; the top-level object is depth 1.
    package static let maximumDepth = 512

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    private init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Scans `line`, calling `member` for each top-level member in input order.
    ///
    /// Members are reported before the whole line is known to be valid; a caller must discard
    /// them when this throws.
    package static func scanObject(
        _ line: UnsafeRawBufferPointer, member: (JSONMember) -> Void
    ) throws(JSONSyntaxError) {
        if let offset = JSONText.firstInvalidUTF8(line) {
            throw JSONSyntaxError(.invalidUTF8, at: offset)
        }
        var scanner = JSONScanner(line)
        scanner.skipWhitespace()
        guard scanner.position < line.count else { throw JSONSyntaxError(.endOfLine, at: 0) }
        let start = scanner.position
        var topLevel = JSONKind.object
        if line[start] == UInt8(ascii: "{") {
            try scanner.scanObject(depth: 1, member: member)
        } else {
            topLevel = try scanner.scanValue(containerDepth: 0).kind
        }
        scanner.skipWhitespace()
        if scanner.position < line.count {
            throw JSONSyntaxError(.trailing(line[scanner.position]), at: scanner.position)
        }
        if topLevel != .object { throw JSONSyntaxError(.notAnObject(topLevel), at: start) }
    }

    /// Calls `member` for each member of the object whose `{` is at `start` in `line`, a line
    /// that ``scanObject(_:member:)`` accepted: nested objects are validated but not reported
    /// by that scan, so a path into one (``FieldPaths``) scans it again, on demand.
    package static func forEachMember(
        ofObjectAt start: Int, in line: UnsafeRawBufferPointer, _ member: (JSONMember) -> Void
    ) {
        var scanner = JSONScanner(line)
        scanner.position = start
        // Cannot throw: the same bytes passed the full scan (whose depth limit already held).
        try? scanner.scanObject(depth: 1, member: member)
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The byte at `position`; throws at the end of the line.
    @inline(__always)
    private func current() throws(JSONSyntaxError) -> UInt8 {
        guard position < bytes.count else { throw JSONSyntaxError(.endOfLine, at: position) }
        return bytes[position]
    }

    private func unexpected() -> JSONSyntaxError {
        position < bytes.count
            ? JSONSyntaxError(.unexpected(bytes[position]), at: position)
            : JSONSyntaxError(.endOfLine, at: position)
    }

    private mutating func scanValue(containerDepth: Int) throws(JSONSyntaxError) -> JSONValue {
        let start = position
        switch try current() {
        case UInt8(ascii: "\""):
            let hasEscapes = try scanString()
            return JSONValue(kind: .string, start: start, end: position, hasEscapes: hasEscapes)
        case UInt8(ascii: "{"):
            guard containerDepth < Self.maximumDepth else {
                throw JSONSyntaxError(.nestedTooDeeply, at: position)
            }
            try scanObject(depth: containerDepth + 1) { _ in }
            return JSONValue(kind: .object, start: start, end: position)
        case UInt8(ascii: "["):
            guard containerDepth < Self.maximumDepth else {
                throw JSONSyntaxError(.nestedTooDeeply, at: position)
            }
            try scanArray(depth: containerDepth + 1)
            return JSONValue(kind: .array, start: start, end: position)
        case UInt8(ascii: "t"):
            try scanLiteral("true")
            return JSONValue(kind: .bool, start: start, end: position, isTrue: true)
        case UInt8(ascii: "f"):
            try scanLiteral("false")
            return JSONValue(kind: .bool, start: start, end: position)
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return JSONValue(kind: .null, start: start, end: position)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let isInteger = try scanNumber()
            return JSONValue(kind: .number, start: start, end: position, isInteger: isInteger)
        default:
            throw unexpected()
        }
    }

    /// Scans an object whose `{` is at `position`, reporting its members.
    private mutating func scanObject(
        depth: Int, member: (JSONMember) -> Void
    ) throws(JSONSyntaxError) {
        position += 1
        skipWhitespace()
        if try current() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            guard try current() == UInt8(ascii: "\"") else { throw unexpected() }
            let keyStart = position + 1
            let keyHasEscapes = try scanString()
            let keyEnd = position - 1
            skipWhitespace()
            guard try current() == UInt8(ascii: ":") else { throw unexpected() }
            position += 1
            skipWhitespace()
            let value = try scanValue(containerDepth: depth)
            member(
                JSONMember(
                    keyStart: keyStart, keyEnd: keyEnd, keyHasEscapes: keyHasEscapes, value: value))
            skipWhitespace()
            switch try current() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                return
            default:
                throw unexpected()
            }
        }
    }

    /// Scans an array whose `[` is at `position`.
    private mutating func scanArray(depth: Int) throws(JSONSyntaxError) {
        position += 1
        skipWhitespace()
        if try current() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            _ = try scanValue(containerDepth: depth)
            skipWhitespace()
            switch try current() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                return
            default:
                throw unexpected()
            }
        }
    }

    private mutating func scanLiteral(_ word: StaticString) throws(JSONSyntaxError) {
        let text = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in text {
            guard try current() == expected else { throw unexpected() }
            position += 1
        }
    }

    /// Scans a string whose opening quote is at `position`, leaving `position` after the closing
    /// quote. Returns whether the contents contain escapes.
    @inline(__always)
    private mutating func scanString() throws(JSONSyntaxError) -> Bool {
        position += 1
        var hasEscapes = false
        while position < bytes.count {
            skipPlainStringBytes()
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return hasEscapes
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try scanEscape()
            } else if byte < 0x20 {
                throw JSONSyntaxError(.controlCharacter(byte), at: position)
            } else {
                position += 1
            }
        }
        throw JSONSyntaxError(.endOfLineInString, at: position)
    }

    /// Skips string bytes that need no attention (not `"`, `\` or a control character), eight
    /// at a time, testing each byte of a word at once.
    @inline(__always)
    private mutating func skipPlainStringBytes() {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while position + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // A byte is flagged when it is zero (for quote/backslash) or below 0x20.
            let special =
                ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                | ((word &- ones &* 0x20) & ~word)
            guard special & highs == 0 else {
                // The lowest flagged byte is always a real one (false flags only appear above a
                // real one, from the borrow), so this lands exactly on the first special byte.
                position += (special & highs).trailingZeroBitCount / 8
                return
            }
            position += 8
        }
    }

    /// Scans one escape whose backslash is at `position`.
    private mutating func scanEscape() throws(JSONSyntaxError) {
        let start = position
        position += 1
        let letter = try current()
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 1
        case UInt8(ascii: "u"):
            let unit = try scanHex4(escapeAt: start)
            switch unit {
            case 0xD800...0xDBFF:
                let low = position
                guard low + 1 < bytes.count, bytes[low] == UInt8(ascii: "\\"),
                    bytes[low + 1] == UInt8(ascii: "u")
                else { throw JSONSyntaxError(.loneSurrogate(unit), at: start) }
                position += 1
                guard (0xDC00...0xDFFF).contains(try scanHex4(escapeAt: low)) else {
                    throw JSONSyntaxError(.loneSurrogate(unit), at: start)
                }
            case 0xDC00...0xDFFF:
                throw JSONSyntaxError(.loneSurrogate(unit), at: start)
            default:
                break
            }
        default:
            throw JSONSyntaxError(.invalidEscape(letter), at: start)
        }
    }

    /// Reads the four hex digits after the `u` at `position`.
    private mutating func scanHex4(escapeAt start: Int) throws(JSONSyntaxError) -> UInt16 {
        position += 1
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard let digit = JSONText.hexValue(try current()) else {
                throw JSONSyntaxError(.invalidUnicodeEscape, at: start)
            }
            unit = unit << 4 | UInt16(digit)
            position += 1
        }
        return unit
    }

    /// Scans a number starting at `position`; returns whether it is an integer literal.
    private mutating func scanNumber() throws(JSONSyntaxError) -> Bool {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard JSONText.isDigit(try current()) else { throw unexpected() }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, JSONText.isDigit(bytes[position]) {
                throw JSONSyntaxError(.leadingZero, at: start)
            }
        } else {
            skipDigits()
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard JSONText.isDigit(try current()) else { throw unexpected() }
            skipDigits()
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if try current() == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard JSONText.isDigit(try current()) else { throw unexpected() }
            skipDigits()
        }
        return isInteger
    }

    private mutating func skipDigits() {
        while position < bytes.count, JSONText.isDigit(bytes[position]) { position += 1 }
    }
}
