import TaskLedgerCore

extension PGConnection {
    /// Calls `body` with every row of `query`, fetched `rowsPerFetch` at a time through a cursor,
    /// so memory stays bounded however many rows there are (a whole result would sit in libpq's
    /// memory at once). Only inside a transaction, which the cursor lives in.
    package func forEachRow(of query: String, rowsPerFetch: Int = 10_000, _ body: (PGRow) throws -> Void) throws {
        try exec("DECLARE task_ledger_rows NO SCROLL CURSOR FOR \(query)")
        while true {
            let page = try exec("FETCH FORWARD \(rowsPerFetch) FROM task_ledger_rows")
            for row in page.rows { try body(row) }
            if page.rowCount < rowsPerFetch { break }
        }
        try exec("CLOSE task_ledger_rows")
    }
}
