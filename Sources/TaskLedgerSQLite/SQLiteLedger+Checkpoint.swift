import GRDB
import TaskLedgerCore

extension Checkpoint {
    package static func fetch(_ db: Database, path: String) throws -> Checkpoint? {
        try Row.fetchOne(
            db, sql: "SELECT path, head_hash, head_length, offset, lines, compressed FROM import_files WHERE path = ?",
            arguments: [path]
        ).map {
            Checkpoint(path: $0[0], headHash: $0[1], headLength: $0[2], offset: $0[3], lines: $0[4], compressed: $0[5])
        }
    }

    package func save(_ db: Database, now: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO import_files (path, head_hash, head_length, offset, lines, compressed, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [path, headHash, headLength, offset, lines, compressed, now])
    }
}
