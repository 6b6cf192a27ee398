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
        let start = Date()
        var summary = ImportSummary()
        var source = try LineSource(path: path)
        let head = source.head(maxBytes: Checkpoint.headSize)
        var checkpoint = Checkpoint(
            path: path, headHash: Checkpoint.hash(head[...]), headLength: head.count, offset: 0, lines: 0,
            compressed: source.isGzip)
        let resumable = path != "-"
        var resumedOffset: Int64 = 0
        if resumable, let saved = try ledger.read({ try Checkpoint.fetch($0, path: path) }), saved.matches(head: head) {
            if try source.skip(toOffset: saved.offset, lines: saved.lines) {
                checkpoint.offset = saved.offset
                checkpoint.lines = saved.lines
                summary.resumedLines = saved.lines
                resumedOffset = saved.offset
            } else {
                // The checkpoint is past the end: a new file under the old name. Read it all.
                source = try LineSource(path: path)
                _ = source.head(maxBytes: Checkpoint.headSize)
            }
        }
        let cache = SnapshotCache(capacity: snapshotCacheCapacity)
        let fileSize = source.fileSize
        let reader = BatchReader(
            source: source, decoder: decoder, resumable: resumable, chunkSize: min(batchSize, BatchReader.chunkSize))
        defer { reader.cancel() }
        var last: DecodedBatch?
        while last == nil {
            if shouldStop() {
                summary.elapsed = Date().timeIntervalSince(start)
                throw ImportAborted(file: path, reason: .interrupted(atLine: checkpoint.lines), summary: summary)
            }
            var compressedBytesRead: Int64 = 0
            try ledger.writeTransaction { db in
                try cache.validate(db)
                let recorder = try EventRecorder(db: db, rules: ledger.rules, cache: cache)
                var lines = 0
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
                            summary.verdicts[try recorder.record(event, origin: origin, raw: batch.text(raw)), default: 0] += 1
                        case .reject(let reject, let raw):
                            try recorder.reject(reject, origin: origin, raw: batch.text(raw))
                            summary.verdicts[reject.kind.verdict, default: 0] += 1
                        }
                        checkpoint.offset = endOffset
                        checkpoint.lines = number
                    }
                    lines += batch.lines.count
                    compressedBytesRead = batch.compressedBytesRead
                    if batch.isLast { last = batch }
                }
                try recorder.flush()
                if resumable { try checkpoint.save(db, now: Int64(Date().timeIntervalSince1970 * 1000)) }
                try cache.commit(db)
                summary.lines += lines
            }
            summary.elapsed = Date().timeIntervalSince(start)
            progress(ImportProgress(
                file: path, lines: summary.lines, judged: summary.verdicts.values.reduce(0, +),
                elapsed: summary.elapsed,
                fraction: fileSize.map { $0 > 0 ? Double(compressedBytesRead) / Double($0) : 1 }))
        }
        if last?.leftPendingLine == true { summary.pendingLines += 1 }
        summary.bytes = checkpoint.offset - resumedOffset
        if let damage = last?.damage {
            throw ImportAborted(file: path, reason: .damaged(damage), summary: summary)
        }
        return summary
    }
}

