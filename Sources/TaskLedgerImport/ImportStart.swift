import Foundation
import TaskLedgerCore
import TaskLedgerDecoding
import TaskLedgerInput

/// Where an import of one file starts, whichever store it writes to: the file opened and, when
/// the store's checkpoint still matches the file's head, positioned after it.
package struct ImportStart {
    package var source: LineSource
    /// The checkpoint to carry forward, batch by batch.
    package var checkpoint: Checkpoint
    /// False for stdin: no checkpoint is read or written.
    package let resumable: Bool
    package let resumedOffset: Int64
    package let resumedLines: Int

    /// Opens `path`; `saved` reads the store's checkpoint for it.
    package init(path: String, saved: () throws -> Checkpoint?) throws {
        source = try LineSource(path: path)
        let head = source.head(maxBytes: Checkpoint.headSize)
        checkpoint = Checkpoint(
            path: path, headHash: Checkpoint.hash(head[...]), headLength: head.count, offset: 0, lines: 0,
            compressed: source.isGzip)
        resumable = path != "-"
        var offset: Int64 = 0
        var lines = 0
        if resumable, let saved = try saved(), saved.matches(head: head) {
            if try source.skip(toOffset: saved.offset, lines: saved.lines) {
                offset = saved.offset
                lines = saved.lines
                checkpoint.offset = offset
                checkpoint.lines = lines
            } else {
                // The checkpoint is past the end: a new file under the old name. Read it all.
                source = try LineSource(path: path)
                _ = source.head(maxBytes: Checkpoint.headSize)
            }
        }
        resumedOffset = offset
        resumedLines = lines
    }
}

extension ImportProgress {
    /// Progress after a committed batch.
    package init(file: String, summary: ImportSummary, compressedBytesRead: Int64, fileSize: Int64?) {
        self.init(
            file: file, lines: summary.lines, judged: summary.verdicts.values.reduce(0, +), elapsed: summary.elapsed,
            fraction: fileSize.map { $0 > 0 ? Double(compressedBytesRead) / Double($0) : 1 })
    }
}

extension ImportSummary {
    /// Completes the summary after the last batch; throws ``ImportAborted`` if the input was damaged.
    package mutating func finish(file: String, last: DecodedBatch?, start: ImportStart, checkpoint: Checkpoint) throws {
        if last?.leftPendingLine == true { pendingLines += 1 }
        bytes = checkpoint.offset - start.resumedOffset
        if let damage = last?.damage {
            throw ImportAborted(file: file, reason: .damaged(damage), summary: self)
        }
    }
}
