import TaskLedgerCore

/// PostgreSQL array literals, for binding a list as one text parameter that the SQL casts:
/// `task = ANY($1::text[])`, `unnest($1::text[], $2::bigint[])`.
package enum PGArrayLiteral {
    /// `{"a","b\"c",NULL}`: every element double-quoted with `\` and `"` backslash-escaped (so
    /// commas, braces, spaces, an empty string and the word NULL stay text); nil is NULL.
    package static func text(_ elements: some Sequence<String?>) -> String {
        var literal = "{"
        var first = true
        for element in elements {
            if !first { literal += "," }
            first = false
            guard let element else {
                literal += "NULL"
                continue
            }
            literal += "\""
            if !element.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) {
                literal += element + "\""
                continue
            }
            for character in element.unicodeScalars {
                if character == "\\" || character == "\"" { literal += "\\" }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        }
        return literal + "}"
    }

    package static func text(_ elements: some Sequence<String>) -> String { text(elements.lazy.map { Optional($0) }) }

    /// `{1,-2,NULL}`: integers need no quotes; nil is NULL.
    package static func integers(_ elements: some Sequence<Int64?>) -> String {
        "{" + elements.map { $0.map(String.init) ?? "NULL" }.joined(separator: ",") + "}"
    }

    package static func integers(_ elements: some Sequence<Int64>) -> String { integers(elements.lazy.map { Optional($0) }) }
}
