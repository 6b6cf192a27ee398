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
    /// The words apart from the seq they cover: an UPDATE rewrites the whole row, and a row
    /// holding the words would be read into memory and written again (measured: +26 MB peak).
    package static let tables = [
        """
        CREATE TABLE IF NOT EXISTS dedupe_filter (
            id INTEGER PRIMARY KEY CHECK (id = 1), bits INTEGER NOT NULL, covers_seq INTEGER NOT NULL)
        """,
        "CREATE TABLE IF NOT EXISTS dedupe_filter_words (id INTEGER PRIMARY KEY CHECK (id = 1), words BLOB NOT NULL)",
    ]

    /// The stored filter if it has `bits` bits, with the keys of every row after the seq it
    /// covers added; nil if there is none of that size (or it covers a seq past the last row's:
    /// rows were deleted and it cannot be trusted).
    package static func load(_ db: Database, bits: Int, lastSeq: Int64) throws -> DedupeFilter? {
        guard let row = try Row.fetchOne(db, sql: """
                SELECT f.bits, f.covers_seq, length(w.words) FROM dedupe_filter f JOIN dedupe_filter_words w ON w.id = f.id
                """),
              row[0] as Int == bits, row[2] as Int == bits / 8 else { return nil }
        let covers: Int64 = row[1]
        guard covers <= lastSeq else { return nil }
        let filter = DedupeFilter(bits: bits)
        try filter.fill { bytes in
            var blob: OpaquePointer?
            defer { sqlite3_blob_close(blob) }
            var code = sqlite3_blob_open(db.sqliteConnection, "main", "dedupe_filter_words", "words", 1, 0, &blob)
            if code == SQLITE_OK { code = sqlite3_blob_read(blob, bytes.baseAddress, Int32(bytes.count), 0) }
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "reading dedupe_filter: \(db.lastErrorMessage ?? "")")
            }
        }
        let later = BoundStatement(try db.cachedStatement(sql: """
            SELECT id_key, content_key FROM task_events WHERE seq > ?
            """), in: db)
        later.bind(1, covers)
        _ = try later.firstMatch { row in
            filter.add(row.isNull(0) ? .content(row.int64(1)) : .id(stored: row.int64(0)))
            return false
        }
        return filter
    }

    /// Keeps `filter`, which holds the key of every row up to `lastSeq`, in the caller's write
    /// transaction.
    package static func save(_ db: Database, _ filter: DedupeFilter, lastSeq: Int64) throws {
        let bytes = filter.bits / 8
        // Written in place over the stored one of the same size; otherwise a zeroblob first
        // (SQLite writes its pages without holding the bytes), then the words into it.
        let storedBytes = try Int.fetchOne(db, sql: """
            SELECT length(w.words) FROM dedupe_filter f JOIN dedupe_filter_words w ON w.id = f.id WHERE f.bits = ?
            """, arguments: [filter.bits])
        if storedBytes == bytes {
            try db.execute(sql: "UPDATE dedupe_filter SET covers_seq = ?", arguments: [lastSeq])
        } else {
            try forget(db)
            try db.execute(sql: "INSERT INTO dedupe_filter_words (id, words) VALUES (1, zeroblob(?))", arguments: [bytes])
            try db.execute(sql: "INSERT INTO dedupe_filter (id, bits, covers_seq) VALUES (1, ?, ?)", arguments: [filter.bits, lastSeq])
        }
        try filter.withBytes { words in
            var blob: OpaquePointer?
            defer { sqlite3_blob_close(blob) }
            var code = sqlite3_blob_open(db.sqliteConnection, "main", "dedupe_filter_words", "words", 1, 1, &blob)
            if code == SQLITE_OK { code = sqlite3_blob_write(blob, words.baseAddress, Int32(words.count), 0) }
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "writing dedupe_filter: \(db.lastErrorMessage ?? "")")
            }
        }
    }

    /// Forgets the stored filter (rows were deleted from `task_events`).
    package static func forget(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM dedupe_filter")
        try db.execute(sql: "DELETE FROM dedupe_filter_words")
    }

    /// Events up to the stored filter's seq whose key it does not hold (an import would take
    /// them again), and whether there is a stored filter at all.
    package static func stored(_ db: Database) throws -> (filter: DedupeFilter, covers: Int64)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT bits, covers_seq FROM dedupe_filter WHERE id = 1") else { return nil }
        let bits: Int = row[0]
        guard bits.nonzeroBitCount == 1, bits >= 512, bits <= 1 << 28,
              let filter = try load(db, bits: bits, lastSeq: .max) else { return nil }
        return (filter, row[1])
    }
}
