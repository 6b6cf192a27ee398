/// How far a file has been imported: committed in the same transaction as the events it
/// produced, so a crash at any moment leaves the checkpoint and the ledger in agreement.
package struct Checkpoint: Equatable {
    /// The path as given on the command line.
    package var path: String
    /// FNV-1a of the first `headLength` decompressed bytes: the file's identity.
    package var headHash: Int64
    package var headLength: Int
    /// Decompressed bytes consumed (whole lines only).
    package var offset: Int64
    /// Physical lines consumed.
    package var lines: Int
    package var compressed: Bool

    package init(path: String, headHash: Int64, headLength: Int, offset: Int64, lines: Int, compressed: Bool) {
        self.path = path
        self.headHash = headHash
        self.headLength = headLength
        self.offset = offset
        self.lines = lines
        self.compressed = compressed
    }

    /// How many decompressed bytes identify a file.
    package static let headSize = 4096

    package static func hash(_ head: ArraySlice<UInt8>) -> Int64 {
        var h = FNV1a()
        head.withUnsafeBytes { h.combine(bytes: $0) }
        return h.signed
    }

    /// Whether a file whose first bytes are `head` is the file this checkpoint describes
    /// (same head, and at least as long): otherwise it was replaced or rotated.
    package func matches(head: [UInt8]) -> Bool {
        head.count >= headLength && Checkpoint.hash(head[..<headLength]) == headHash
    }
}
