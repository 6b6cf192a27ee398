import PostgresNIO
import TaskLedgerCore

/// Rows in the text format of `COPY … FROM STDIN`: tab-separated fields, one row per line,
/// `\N` for NULL, backslash escapes for backslash, tab, newline and carriage return.
package struct CopyText {
    private(set) var buffer = ByteBuffer()
    private(set) var rows = 0
    private var fieldsInRow = 0

    package mutating func field(_ text: String?) {
        separate()
        guard let text else {
            buffer.writeStaticString("\\N")
            return
        }
        // Most values need no escape: copy them whole.
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 < 0x0E }) {
            buffer.writeString(text)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            // PostgreSQL text cannot hold NUL (only a rejected line's raw bytes can carry one).
            case 0: buffer.writeStaticString("\u{FFFD}")
            default: buffer.writeInteger(byte)
            }
        }
    }

    package mutating func field(_ number: Int64?) {
        separate()
        guard let number else {
            buffer.writeStaticString("\\N")
            return
        }
        buffer.writeString(String(number))
    }

    package mutating func field(_ number: Int?) { field(number.map(Int64.init)) }

    package mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        rows += 1
        fieldsInRow = 0
    }

    private mutating func separate() {
        if fieldsInRow > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
        fieldsInRow += 1
    }
}

extension PostgresConnection {
    /// Sends `rows` to `table` with `COPY … FROM STDIN` (text format), in chunks.
    package func copy(_ rows: CopyText, into table: String, columns: [String], logger: Logger) async throws {
        guard rows.rows > 0 else { return }
        try await copyFrom(table: table, columns: columns, logger: logger) { writer in
            var buffer = rows.buffer
            while buffer.readableBytes > 0, let chunk = buffer.readSlice(length: min(buffer.readableBytes, 1 << 20)) {
                try await writer.write(chunk)
            }
        }
    }
}
