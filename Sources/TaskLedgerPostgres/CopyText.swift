import TaskLedgerCore

/// Rows in the text format of `COPY … FROM STDIN`: tab-separated fields, one row per line,
/// `\N` for NULL, backslash escapes for backslash, tab, newline and carriage return.
package struct CopyText {
    private(set) var bytes: [UInt8] = []
    private(set) var rows = 0
    private var fieldsInRow = 0

    package mutating func field(_ text: String?) {
        separate()
        guard let text else {
            bytes.append(contentsOf: "\\N".utf8)
            return
        }
        // Most values need no escape: copy them whole.
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 < 0x0E }) {
            bytes.append(contentsOf: text.utf8)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\t"): bytes.append(contentsOf: "\\t".utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): bytes.append(contentsOf: "\\r".utf8)
            // PostgreSQL text cannot hold NUL (only a rejected line's raw bytes can carry one).
            case 0: bytes.append(contentsOf: "\u{FFFD}".utf8)
            default: bytes.append(byte)
            }
        }
    }

    package mutating func field(_ number: Int64?) {
        separate()
        guard let number else {
            bytes.append(contentsOf: "\\N".utf8)
            return
        }
        bytes.append(contentsOf: String(number).utf8)
    }

    package mutating func field(_ number: Int?) { field(number.map(Int64.init)) }

    package mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        rows += 1
        fieldsInRow = 0
    }

    private mutating func separate() {
        if fieldsInRow > 0 { bytes.append(UInt8(ascii: "\t")) }
        fieldsInRow += 1
    }
}

extension PGConnection {
    /// Sends `rows` to `table` with `COPY … FROM STDIN` (text format).
    package func copy(_ rows: CopyText, into table: String, columns: [String]) throws(PGError) {
        guard rows.rows > 0 else { return }
        try copy(rows.bytes, into: table, columns: columns)
    }
}
