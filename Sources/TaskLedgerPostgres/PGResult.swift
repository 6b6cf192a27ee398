import CLibPQ
import TaskLedgerCore

/// The rows of one successful statement, every value in PostgreSQL's text format. Owns its
/// `PGresult` and clears it when it goes.
package final class PGResult {
    private let handle: OpaquePointer

    package init(_ handle: OpaquePointer) { self.handle = handle }

    deinit { PQclear(handle) }

    package var rowCount: Int { Int(PQntuples(handle)) }

    /// Every row, in the order the server sent them.
    package var rows: [PGRow] { (0..<rowCount).map { PGRow(result: self, index: $0) } }

    /// The first row, if any: for queries of one row (`count(*)`, a lookup by key).
    package var first: PGRow? { rowCount > 0 ? PGRow(result: self, index: 0) : nil }

    /// Whether `column` is of an integer type (int2, int4, int8), by its type OID.
    package func isInteger(_ column: Int) -> Bool { [20, 21, 23].contains(PQftype(handle, Int32(column))) }

    package var columnCount: Int { Int(PQnfields(handle)) }

    package func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) != 0 }

    /// The value as text, nil for SQL NULL.
    package func string(_ row: Int, _ column: Int) -> String? {
        guard !isNull(row, column), let value = PQgetvalue(handle, Int32(row), Int32(column)) else { return nil }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        return value.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// The value of a column the schema declares NOT NULL (a NULL there is damaged data).
    package func text(_ row: Int, _ column: Int) throws(PGError) -> String {
        guard let text = string(row, column) else { throw unexpected("NULL", row, column) }
        return text
    }

    /// An integer column (smallint, integer, bigint, count) that is NOT NULL.
    package func int64(_ row: Int, _ column: Int) throws(PGError) -> Int64 {
        let text = try text(row, column)
        guard let number = Int64(text) else { throw unexpected("'\(text)'", row, column) }
        return number
    }

    /// An integer column that may be NULL.
    package func optionalInt64(_ row: Int, _ column: Int) throws(PGError) -> Int64? {
        isNull(row, column) ? nil : try int64(row, column)
    }

    /// A boolean column that is NOT NULL (`t` or `f` in text format).
    package func bool(_ row: Int, _ column: Int) throws(PGError) -> Bool {
        switch try text(row, column) {
        case "t": return true
        case "f": return false
        case let other: throw unexpected("'\(other)'", row, column)
        }
    }

    private func unexpected(_ value: String, _ row: Int, _ column: Int) -> PGError {
        let name = PQfname(handle, Int32(column)).map { String(cString: $0) } ?? "#\(column)"
        return .client(message: "unexpected \(value) in column \(name) of row \(row + 1)")
    }
}

/// One row of a ``PGResult``, read by column number (the order of the SELECT list).
package struct PGRow {
    package let result: PGResult
    package let index: Int

    package func string(_ column: Int) -> String? { result.string(index, column) }
    package func text(_ column: Int) throws(PGError) -> String { try result.text(index, column) }
    package func int64(_ column: Int) throws(PGError) -> Int64 { try result.int64(index, column) }
    package func optionalInt64(_ column: Int) throws(PGError) -> Int64? { try result.optionalInt64(index, column) }
    package func bool(_ column: Int) throws(PGError) -> Bool { try result.bool(index, column) }
}
