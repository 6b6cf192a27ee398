import GRDB

/// How far a file has been imported: committed in the same transaction as the events it
/// produced, so a crash at any moment leaves the checkpoint and the ledger in agreement.
struct Checkpoint: Equatable {
    /// The path as given on the command line.
    var path: String
    /// FNV-1a of the first `headLength` decompressed bytes: the file's identity.
    var headHash: Int64
    var headLength: Int
    /// Decompressed bytes consumed (whole lines only).
    var offset: Int64
    /// Physical lines consumed.
    var lines: Int
    var compressed: Bool

    /// How many decompressed bytes identify a file.
    static let headSize = 4096

    static func hash(_ head: ArraySlice<UInt8>) -> Int64 {
        var h = FNV1a()
        head.withUnsafeBytes { h.combine(bytes: $0) }
        return h.signed
    }

    /// Whether a file whose first bytes are `head` is the file this checkpoint describes
    /// (same head, and at least as long): otherwise it was replaced or rotated.
    func matches(head: [UInt8]) -> Bool {
        head.count >= headLength && Checkpoint.hash(head[..<headLength]) == headHash
    }

    static func fetch(_ db: Database, path: String) throws -> Checkpoint? {
        try Row.fetchOne(
            db, sql: "SELECT path, head_hash, head_length, offset, lines, compressed FROM import_files WHERE path = ?",
            arguments: [path]
        ).map {
            Checkpoint(path: $0[0], headHash: $0[1], headLength: $0[2], offset: $0[3], lines: $0[4], compressed: $0[5])
        }
    }

    func save(_ db: Database, now: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO import_files (path, head_hash, head_length, offset, lines, compressed, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [path, headHash, headLength, offset, lines, compressed, now])
    }
}
