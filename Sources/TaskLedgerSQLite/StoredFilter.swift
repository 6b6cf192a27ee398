import GRDB
import GRDBSQLite
import TaskLedgerCore

/// The dedupe filter an import ends with, kept in the ledger (`dedupe_filter`, v6) so that the
/// next import does not rebuild it from every stored key: it loads the words and adds the keys
/// of the rows stored after them (`seq > covers_seq`: live writes, imports that did not save).
///
/// A filter may hold keys the ledger no longer has (a false positive costs one SQL probe), never
/// lack one of a row with `seq <= covers_seq`. Deleting rows breaks that: SQLite hands the next
/// row max(seq) + 1, so after deleting the last rows a new row may get a seq the filter claims to
/// cover. Whoever deletes from `task_events` (archive does) deletes the stored filter too.
/// Read and written through SQLite's incremental blob I/O, so that neither side makes a second
/// copy of the 8 or 16 MiB.
package enum StoredFilter {
    /// Rebuilding the filter from every key costs about 1.5 s at 8M keys (perf: 12% of night 9's
    /// import, mostly cache misses into the filter); loading it costs a read of 16 MiB.
    ///
    /// The words are kept apart from the seq they cover: an UPDATE rewrites the whole row, and a
    /// row holding the words would be read into memory and written again (measured: +26 MB peak).
    package static let tables = [
        """
        CREATE TABLE IF NOT EXISTS dedupe_filter (
            id INTEGER PRIMARY KEY CHECK (id = 1), bits INTEGER NOT NULL, covers_seq INTEGER NOT NULL)
        """,
        "CREATE TABLE IF NOT EXISTS dedupe_filter_words (id INTEGER PRIMARY KEY CHECK (id = 1), words BLOB NOT NULL)",
    ]

    /// The stored filter if its size is in `bits`, with the keys of every row after the seq it
    /// covers added; nil if there is none of such a size (or it covers a seq past the last
    /// row's: rows were deleted and it cannot be trusted).
    package static func load(_ db: Database, bits: ClosedRange<Int>, lastSeq: Int64) throws -> DedupeFilter? {
        guard let (filter, covers) = try stored(db), bits.contains(filter.bits), covers <= lastSeq else { return nil }
        let later = BoundStatement(try db.cachedStatement(sql: """
            SELECT id_key, content_key FROM task_events WHERE seq > ?
            """), in: db)
        later.bind(1, covers)
        _ = try later.firstMatch { row in
            filter.add(.stored(idKey: row.isNull(0) ? nil : row.int64(0), contentKey: row.int64(1)))
            return false
        }
        return filter
    }

    /// The stored filter as it was saved, and the seq it covers; nil if there is none (or its
    /// words are not the size its row says).
    package static func stored(_ db: Database) throws -> (filter: DedupeFilter, covers: Int64)? {
        // Not length(words): in a join SQLite reads the whole blob to count it (+10 MB peak).
        guard let row = try Row.fetchOne(db, sql: """
                SELECT f.bits, f.covers_seq FROM dedupe_filter f JOIN dedupe_filter_words w ON w.id = f.id
                """) else { return nil }
        let bits: Int = row[0]
        guard bits.nonzeroBitCount == 1, bits >= 512, bits <= 1 << 28 else { return nil }
        let filter = DedupeFilter(bits: bits)
        var complete = false
        try filter.fill { bytes in
            try withBlob(db, writing: false) { blob in
                guard Int(sqlite3_blob_bytes(blob)) == bytes.count else { return }
                try check(db, sqlite3_blob_read(blob, bytes.baseAddress, Int32(bytes.count), 0))
                complete = true
            }
        }
        return complete ? (filter, row[1]) : nil
    }

    /// Keeps `filter`, which holds the key of every row up to `lastSeq`, in the caller's write
    /// transaction.
    package static func save(_ db: Database, _ filter: DedupeFilter, lastSeq: Int64) throws {
        let bytes = filter.bits / 8
        // Written in place over the stored one of the same size; otherwise a zeroblob first
        // (SQLite writes its pages without holding the bytes), then the words into it.
        let sameSize = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM dedupe_filter f JOIN dedupe_filter_words w ON w.id = f.id WHERE f.bits = ?)
            """, arguments: [filter.bits]) ?? false
        if sameSize {
            try db.execute(sql: "UPDATE dedupe_filter SET covers_seq = ?", arguments: [lastSeq])
        } else {
            try forget(db)
            try db.execute(sql: "INSERT INTO dedupe_filter_words (id, words) VALUES (1, zeroblob(?))", arguments: [bytes])
            try db.execute(sql: "INSERT INTO dedupe_filter (id, bits, covers_seq) VALUES (1, ?, ?)", arguments: [filter.bits, lastSeq])
        }
        try filter.withBytes { words in
            try withBlob(db, writing: true) { blob in
                guard Int(sqlite3_blob_bytes(blob)) == words.count else {
                    throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "dedupe_filter_words holds \(sqlite3_blob_bytes(blob)) bytes, not \(words.count)")
                }
                try check(db, sqlite3_blob_write(blob, words.baseAddress, Int32(words.count), 0))
            }
        }
    }

    /// The stored words through an incremental blob handle.
    private static func withBlob(_ db: Database, writing: Bool, _ body: (OpaquePointer?) throws -> Void) throws {
        var blob: OpaquePointer?
        defer { sqlite3_blob_close(blob) }
        try check(db, sqlite3_blob_open(db.sqliteConnection, "main", "dedupe_filter_words", "words", 1, writing ? 1 : 0, &blob))
        try body(blob)
    }

    private static func check(_ db: Database, _ code: Int32) throws {
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "dedupe_filter_words: \(db.lastErrorMessage ?? "")")
        }
    }

    /// Forgets the stored filter (rows were deleted from `task_events`).
    package static func forget(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM dedupe_filter")
        try db.execute(sql: "DELETE FROM dedupe_filter_words")
    }
}
