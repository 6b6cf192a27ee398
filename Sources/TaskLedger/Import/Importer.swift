import Foundation
import GRDB

/// Streams JSONL files into the ledger: each line decoded, judged and recorded through the same
/// write path as a live write, in large transactions that also carry the file's checkpoint.
public struct Importer: Sendable {
    public let ledger: Ledger
    public let decoder: EventDecoder
    /// Lines per transaction.
    public var batchSize: Int
    /// Tasks whose snapshots stay cached between transactions (see ``SnapshotCache``).
    var snapshotCacheCapacity = SnapshotCache.defaultCapacity

    public init(ledger: Ledger, mapping: FieldMapping = .init(), batchSize: Int = 20_000) {
        self.init(ledger: ledger, decoder: EventDecoder(mapping: mapping), batchSize: batchSize)
    }

    /// An importer reading lines with `decoder` (e.g. a profile's, see ``Profile/decoder(fieldSpecs:)``).
    public init(ledger: Ledger, decoder: EventDecoder, batchSize: Int = 20_000) {
        self.ledger = ledger
        self.decoder = decoder
        self.batchSize = batchSize
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
    public func importFile(
        _ path: String, progress: (ImportProgress) -> Void = { _ in }, shouldStop: () -> Bool = { false }
    ) throws -> ImportSummary {
        let began = Date()
        var summary = ImportSummary()
        let start = try ImportStart(path: path, saved: { try ledger.read { try Checkpoint.fetch($0, path: path) } })
        summary.resumedLines = start.resumedLines
        var checkpoint = start.checkpoint
        // The reading thread continues a filter of the ledger's dedupe keys (for ledgers of up to
        // SnapshotCache.filterLimit events), so that certainly new lines skip the index probe;
        // the cache believes it only while nobody else writes.
        let cache = SnapshotCache(capacity: snapshotCacheCapacity)
        let seen = try ledger.writeTransaction { db in try cache.start(db, loadingKeys: start.resumedLines == 0) }
        let fileSize = start.source.fileSize
        let reader = BatchReader(
            source: start.source, decoder: decoder, rules: ledger.rules, seen: seen,
            resumable: start.resumable, chunkSize: min(batchSize, BatchReader.chunkSize))
        defer { reader.cancel() }
        var last: DecodedBatch?
        while last == nil {
            if shouldStop() {
                summary.elapsed = Date().timeIntervalSince(began)
                throw ImportAborted(file: path, reason: .interrupted(atLine: checkpoint.lines), summary: summary)
            }
            var compressedBytesRead: Int64 = 0
            try ledger.writeTransaction { db in
                try cache.validate(db)
                let recorder = try EventRecorder(db: db, rules: ledger.rules, cache: cache)
                var lines = 0, applied = 0
                while lines < batchSize, last == nil {
                    let batch = reader.next()
                    for (number, endOffset, line) in batch.lines {
                        let origin = EventOrigin(file: path, line: number)
                        switch line {
                        case .blank:
                            summary.blankLines += 1
                        case .skipped:
                            summary.skippedLines += 1
                        case .event(let event, let raw):
                            let verdict = try recorder.record(event, origin: origin, raw: batch.text(raw))
                            // Most lines are applied: a counter, not a dictionary update each.
                            if verdict == .applied { applied += 1 } else { summary.verdicts[verdict, default: 0] += 1 }
                        case .reject(let reject, let raw):
                            try recorder.reject(reject, origin: origin, raw: batch.text(raw))
                            summary.verdicts[reject.kind.verdict, default: 0] += 1
                        }
                        checkpoint.offset = endOffset
                        checkpoint.lines = number
                    }
                    lines += batch.lines.count
                    compressedBytesRead = batch.compressedBytesRead
                    if batch.isLast { last = batch } else { reader.recycle(batch) }
                }
                try recorder.flush()
                if applied > 0 { summary.verdicts[.applied, default: 0] += applied }
                if start.resumable { try checkpoint.save(db, now: Int64(Date().timeIntervalSince1970 * 1000)) }
                try cache.commit(db)
                summary.lines += lines
            }
            summary.elapsed = Date().timeIntervalSince(began)
            progress(ImportProgress(
                file: path, summary: summary, compressedBytesRead: compressedBytesRead, fileSize: fileSize))
        }
        try summary.finish(file: path, last: last, start: start, checkpoint: checkpoint)
        return summary
    }
}

