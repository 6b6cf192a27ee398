import TaskLedgerCore

extension PGConnection {
    /// Calls `body` with every row of `query`, fetched `rowsPerFetch` at a time through a cursor,
    /// so memory stays bounded however many rows there are (a whole result would sit in libpq's
    /// memory at once). Only inside a transaction, which the cursor lives in.
    package func forEachRow(of query: String, rowsPerFetch: Int = 10_000, _ body: (PGRow) throws -> Void) throws {
        let rows = try PGRowCursor(self, name: "task_ledger_rows", query: query, rowsPerFetch: rowsPerFetch)
        while let row = try rows.next() { try body(row) }
        try rows.close()
    }
}

/// The rows of a query pulled one at a time through a named cursor, `rowsPerFetch` per round
/// trip: for reading two results side by side (``PGConnection/forEachRow(of:rowsPerFetch:_:)``
/// reads one). Only inside a transaction, which the cursor lives in.
package final class PGRowCursor {
    private let conn: PGConnection
    private let name: String
    private let rowsPerFetch: Int
    private var page: PGResult?
    private var index = 0
    private var exhausted = false

    package init(_ conn: PGConnection, name: String, query: String, rowsPerFetch: Int = 10_000) throws {
        self.conn = conn
        self.name = name
        self.rowsPerFetch = rowsPerFetch
        try conn.exec("DECLARE \(name) NO SCROLL CURSOR FOR \(query)")
    }

    package func next() throws -> PGRow? {
        if let page, index < page.rowCount {
            index += 1
            return PGRow(result: page, index: index - 1)
        }
        guard !exhausted else { return nil }
        let fetched = try conn.exec("FETCH FORWARD \(rowsPerFetch) FROM \(name)")
        exhausted = fetched.rowCount < rowsPerFetch
        page = fetched
        index = 0
        guard fetched.rowCount > 0 else { return nil }
        index = 1
        return PGRow(result: fetched, index: 0)
    }

    package func close() throws {
        try conn.exec("CLOSE \(name)")
    }
}
