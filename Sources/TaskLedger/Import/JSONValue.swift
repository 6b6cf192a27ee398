/// What a JSON value is, as far as decoding an event needs to know.
enum JSONKind: Sendable, Equatable {
    case string, number, bool, null, object, array

    /// The kind as messages name it: "a string", "null".
    var withArticle: String {
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
struct JSONValue: Sendable, Equatable {
    var kind: JSONKind
    /// The value's raw text, `start..<end`; for strings this includes the quotes.
    var start: Int
    var end: Int
    /// Strings: the contents contain a backslash escape, so they must be unescaped.
    var hasEscapes = false
    /// Numbers: the literal has no fraction and no exponent.
    var isInteger = false
    /// Bools: the value.
    var isTrue = false

    /// The contents of a string (without quotes), or the whole raw text of any other value.
    var contents: Range<Int> { kind == .string ? (start + 1)..<(end - 1) : start..<end }
}

/// One member of the top-level object: a key (its contents, without quotes) and a value.
struct JSONMember: Sendable, Equatable {
    var keyStart: Int
    var keyEnd: Int
    var keyHasEscapes: Bool
    var value: JSONValue
}
