import TaskLedgerCore

/// What a JSON value is, as far as decoding an event needs to know.
package enum JSONKind: Sendable, Equatable {
    case string, number, bool, null, object, array

    /// The kind as messages name it: "a string", "null".
    package var withArticle: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a bool"
        case .null: "null"
        case .object: "an object"
        case .array: "an array"
        }
    }
}

/// One JSON value inside a line, located by byte offsets into that line.
///
/// Nothing is materialised: strings are decoded only when a caller asks
/// (``JSONText/decodeString(_:)``), numbers stay literals, nested objects and arrays are validated
/// but only their byte range is kept.
package struct JSONValue: Sendable, Equatable {
    package var kind: JSONKind
    /// The value's raw text, `start..<end`; for strings this includes the quotes.
    package var start: Int
    package var end: Int
    /// Strings: the contents contain a backslash escape, so they must be unescaped.
    package var hasEscapes = false
    /// Numbers: the literal has no fraction and no exponent.
    package var isInteger = false
    /// Bools: the value.
    package var isTrue = false

    /// The contents of a string (without quotes), or the whole raw text of any other value.
    package var contents: Range<Int> { kind == .string ? (start + 1)..<(end - 1) : start..<end }
}

/// One member of the top-level object: a key (its contents, without quotes) and a value.
package struct JSONMember: Sendable, Equatable {
    package var keyStart: Int
    package var keyEnd: Int
    package var keyHasEscapes: Bool
    package var value: JSONValue
}
