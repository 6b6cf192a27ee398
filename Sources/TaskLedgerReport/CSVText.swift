import TaskLedgerCore

/// RFC 4180 text: header row, `\n` line ends, a field quoted iff it holds `,` `"` `\r` or
/// `\n`, quotes doubled. Built as bytes, which a file written out takes a megabyte at a time
/// (``drain(into:over:)``): outcomes of 100k tasks are 13 MB of CSV.
package struct CSVText {
    private(set) var bytes: [UInt8] = []
    package let excelSafe: Bool

    package init(header: [String], excelSafe: Bool) {
        self.excelSafe = excelSafe
        bytes.reserveCapacity(1 << 16)
        appendRow(header)
    }

    package mutating func appendRow(_ fields: [String]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            append(field)
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    private mutating func append(_ field: String) {
        let utf8 = field.utf8
        let formula = excelSafe && utf8.first.map(CSVText.formulaStarts.contains) == true
        let quoted = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }
        if quoted { bytes.append(UInt8(ascii: "\"")) }
        if formula { bytes.append(UInt8(ascii: "'")) }
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
        }
        if quoted { bytes.append(UInt8(ascii: "\"")) }
    }

    /// First bytes that make a spreadsheet read a cell as a formula (OWASP's CSV injection list).
    private static let formulaStarts: Set<UInt8> = [
        UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D,
    ]

    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Hands the bytes so far to `sink` and forgets them, keeping the buffer, once they are
    /// `limit` bytes or more (always, by default): for a file written as its rows come.
    package mutating func drain(into sink: ([UInt8]) throws -> Void, over limit: Int = 0) rethrows {
        guard bytes.count >= limit else { return }
        try sink(bytes)
        bytes.removeAll(keepingCapacity: true)
    }
}

/// Report numbers as text, computed from integers (no floating point); the CLI prints the same.
package enum ReportNumber {
    /// Milliseconds as seconds with exactly 3 decimals: `12345` → `12.345`, `-5` → `-0.005`.
    package static func seconds(_ ms: Int64) -> String {
        let magnitude = ms.magnitude
        let fraction = String(magnitude % 1000)
        return (ms < 0 ? "-" : "") + "\(magnitude / 1000)."
            + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// `numerator / denominator` rounded half up to 4 decimals: `3/4` → `0.7500`.
    package static func ratio(_ numerator: Int, _ denominator: Int) -> String {
        let scaled = (numerator * 20_000 + denominator) / (2 * denominator)
        let fraction = String(scaled % 10_000)
        return "\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
    }
}
