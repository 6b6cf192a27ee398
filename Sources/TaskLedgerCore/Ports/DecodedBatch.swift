/// One input line as the importer's writer needs it, decoded on the reading thread.
package enum DecodedLine {
    case blank
    /// `raw` is the line's range in the batch's ``DecodedBatch/rawBytes``.
    case event(PreparedEvent, raw: Range<Int>)
    case reject(LineReject, raw: Range<Int>)
    /// Not a task event (a profile's `only:` leaves it out): counted, not stored.
    case skipped
}

/// Up to a batch of decoded lines, with where they end in the file.
package struct DecodedBatch {
    package init() {}

    package var lines: [(number: Int, endOffset: Int64, line: DecodedLine)] = []
    /// Every line's bytes back to back: one buffer per batch instead of a String per line
    /// (the text is only needed for the few lines that end up in `import_rejects`).
    package var rawBytes: [UInt8] = []
    /// No line follows this batch.
    package var isLast = false
    /// The final line has no `\n` and does not parse: perhaps still being written, left unread.
    package var leftPendingLine = false
    /// The source failed after these lines (e.g. a truncated gzip stream).
    package var damage: (any Error)?
    /// For progress: bytes of the file read when the batch was complete.
    package var compressedBytesRead: Int64 = 0
}

extension DecodedBatch {
    /// Copies a line's bytes into ``rawBytes`` and returns where they are.
    package mutating func keep(_ bytes: UnsafeRawBufferPointer) -> Range<Int> {
        let start = rawBytes.count
        rawBytes.append(contentsOf: bytes)
        return start..<rawBytes.count
    }

    /// A kept line as text for `import_rejects.raw`; invalid UTF-8 becomes U+FFFD.
    package func text(_ range: Range<Int>) -> String { String(decoding: rawBytes[range], as: UTF8.self) }
}
