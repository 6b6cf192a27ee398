import Foundation
import TaskLedgerCore
import TaskLedgerDecoding
import TaskLedgerInput

/// Streams JSONL files into a store: each line decoded (on a reading thread of its own) and
/// handed to the store's ``ImportDestination`` in large transactions that also carry the file's
/// checkpoint. The one import loop, for every store.
package struct Importer: Sendable {
    package let destination: any ImportDestination
    package let decoder: EventDecoder
    /// Lines per transaction.
    package var batchSize: Int

    /// `batchSize` nil: the destination's ``ImportDestination/preferredBatchSize``.
    package init(ledger destination: any ImportDestination, decoder: EventDecoder = EventDecoder(), batchSize: Int? = nil) {
        self.destination = destination
        self.decoder = decoder
        self.batchSize = batchSize ?? destination.preferredBatchSize
    }

    package init(ledger destination: any ImportDestination, mapping: FieldMapping, batchSize: Int? = nil) {
        self.init(ledger: destination, decoder: EventDecoder(mapping: mapping), batchSize: batchSize)
    }

    /// Imports one file (`-` for stdin) from its checkpoint on.
    ///
    /// - Parameters:
    ///   - progress: called after each committed batch.
    ///   - shouldStop: checked between batches; when it returns true the import stops at that
    ///     batch boundary (everything before it committed) and throws ``ImportAborted``.
    /// - Throws: ``ImportError`` when the file cannot be opened; ``ImportAborted`` for damaged
    ///   input, after committing every complete line before the damage; ``LedgerError`` for
    ///   ledger failures (the batch in flight is rolled back, the checkpoint with it).
    package func importFile(
        _ path: String, progress: (ImportProgress) -> Void = { _ in }, shouldStop: () -> Bool = { false }
    ) throws -> ImportSummary {
        let began = Date()
        var summary = ImportSummary()
        let start = try ImportStart(path: path, saved: { try destination.checkpoint(path: path) })
        summary.resumedLines = start.resumedLines
        var checkpoint = start.checkpoint
        let fileSize = start.source.fileSize
        // At least 16 bytes a line, gzip or not (bench/nightly's gzip nights: 54 bytes a line):
        // a bound on the lines to come, for a store that sizes its dedupe filter by it.
        let writer = try destination.beginImport(resumed: start.resumedLines > 0, expectedLines: fileSize.map { $0 / 16 })
        let reader = BatchReader(
            source: start.source, decoder: decoder.reading(file: path), rules: destination.rules, seen: writer.seen,
            resumable: start.resumable, chunkSize: min(batchSize, BatchReader.chunkSize))
        defer { reader.cancel() }
        var last: DecodedBatch?
        while last == nil {
            if shouldStop() {
                summary.elapsed = Date().timeIntervalSince(began)
                throw ImportAborted(file: path, reason: .interrupted(atLine: checkpoint.lines), summary: summary)
            }
            var compressedBytesRead: Int64 = 0
            var lines = 0
            let verdicts = try writer.transaction(file: path, now: Int64(Date().timeIntervalSince1970 * 1000)) { receive in
                lines = 0
                while lines < batchSize, last == nil {
                    let batch = reader.next()
                    try receive(batch)
                    for (number, endOffset, line) in batch.lines {
                        switch line {
                        case .blank: summary.blankLines += 1
                        case .skipped: summary.skippedLines += 1
                        case .event, .reject: break
                        }
                        checkpoint.offset = endOffset
                        checkpoint.lines = number
                    }
                    lines += batch.lines.count
                    compressedBytesRead = batch.compressedBytesRead
                    if batch.isLast { last = batch } else { reader.recycle(batch) }
                }
                return start.resumable ? checkpoint : nil
            }
            for (verdict, count) in verdicts { summary.verdicts[verdict, default: 0] += count }
            summary.lines += lines
            summary.elapsed = Date().timeIntervalSince(began)
            progress(ImportProgress(
                file: path, summary: summary, compressedBytesRead: compressedBytesRead, fileSize: fileSize))
        }
        try writer.finish()
        try summary.finish(file: path, last: last, start: start, checkpoint: checkpoint)
        return summary
    }
}
