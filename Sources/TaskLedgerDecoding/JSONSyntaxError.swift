import TaskLedgerCore

/// Why a line is not one valid JSON object, and where: the `malformed` verdict's message.
package struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Problem: Sendable, Equatable {
        case invalidUTF8
        case endOfLine
        case endOfLineInString
        case unexpected(UInt8)
        case trailing(UInt8)
        case controlCharacter(UInt8)
        case invalidEscape(UInt8)
        case invalidUnicodeEscape
        case loneSurrogate(UInt16)
        case leadingZero
        case nestedTooDeeply
        case notAnObject(JSONKind)
    }

    package var problem: Problem
    /// 0-based byte offset into the line.
    package var offset: Int

    package init(_ problem: Problem, at offset: Int) {
        self.problem = problem
        self.offset = offset
    }

    /// A short message for people; byte positions are 1-based, like line numbers.
    package var description: String {
        let at = "at byte \(offset + 1)"
        switch problem {
        case .invalidUTF8:
            return "invalid UTF-8 \(at)"
        case .notAnObject(let kind):
            return "not a JSON object: the line is \(kind.withArticle)"
        case .endOfLine:
            return offset == 0
                ? "not JSON: the line is empty" : "not JSON: unexpected end of line \(at)"
        case .endOfLineInString:
            return "not JSON: unterminated string, the line ends \(at)"
        case .unexpected(let byte):
            return "not JSON: unexpected \(Self.show(byte)) \(at)"
        case .trailing(let byte):
            return "not JSON: unexpected \(Self.show(byte)) after the end of the object \(at)"
        case .controlCharacter(let byte):
            return "not JSON: unescaped control character \(Self.hex(byte)) in a string \(at)"
        case .invalidEscape(let byte):
            return "not JSON: invalid escape '\\\(Self.printable(byte) ?? Self.hex(byte))' \(at)"
        case .invalidUnicodeEscape:
            return "not JSON: \\u must be followed by 4 hex digits \(at)"
        case .loneSurrogate(let unit):
            let digits = String(unit, radix: 16, uppercase: true)
            return "not JSON: lone surrogate \\u\(digits) \(at)"
        case .leadingZero:
            return "not JSON: number with a leading zero \(at)"
        case .nestedTooDeeply:
            let limit = JSONScanner.maximumDepth
            return "not JSON: nested too deeply (more than \(limit) levels) \(at)"
        }
    }

    private static func printable(_ byte: UInt8) -> String? {
        (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : nil
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }

    private static func show(_ byte: UInt8) -> String {
        printable(byte).map { "'\($0)'" } ?? hex(byte)
    }
}
