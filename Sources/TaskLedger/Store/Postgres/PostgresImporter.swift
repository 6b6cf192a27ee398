import Foundation

/// Streams JSONL files into a ``PostgresLedger``: the same line reading, decoding and checkpoint
/// identity as ``Importer``; each batch is judged under the ledger's write lock and sent with
/// `COPY`, in one transaction with the file's checkpoint, so an interrupted import resumes
/// exactly as on SQLite.
public struct PostgresImporter: LedgerImporting {
    public let ledger: PostgresLedger
    public let decoder: EventDecoder
    /// Lines per transaction.
    public var batchSize: Int

    public init(ledger: PostgresLedger, mapping: FieldMapping = .init(), batchSize: Int = 20_000) {
        self.init(ledger: ledger, decoder: EventDecoder(mapping: mapping), batchSize: batchSize)
    }

    /// An importer reading lines with `decoder` (e.g. a profile's, see ``Profile/decoder(fieldSpecs:)``).
    public init(ledger: PostgresLedger, decoder: EventDecoder, batchSize: Int = 20_000) {
        self.ledger = ledger
        self.decoder = decoder
        self.batchSize = batchSize
    }

    /// Imports one file (`-` for stdin) from its checkpoint on; see ``Importer/importFile(_:progress:shouldStop:)``.
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
        if resumable, let saved = try ledger.checkpoint(path: path), saved.matches(head: head) {
            if try source.skip(toOffset: saved.offset, lines: saved.lines) {
                checkpoint.offset = saved.offset
                checkpoint.lines = saved.lines
                summary.resumedLines = saved.lines
                resumedOffset = saved.offset
            } else {
                source = try LineSource(path: path)
                _ = source.head(maxBytes: Checkpoint.headSize)
            }
        }
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
            var pending = PendingBatch(file: path)
            var lines = 0
            var compressedBytesRead: Int64 = 0
            while lines < batchSize, last == nil {
                let batch = reader.next()
                let base = pending.rawBytes.count
                pending.rawBytes.append(contentsOf: batch.rawBytes)
                for (number, endOffset, line) in batch.lines {
                    switch line {
                    case .blank: summary.blankLines += 1
                    case .skipped: summary.skippedLines += 1
                    case .event(let event, let raw): pending.lines.append(.event(event, line: number, raw: raw.shifted(by: base)))
                    case .reject(let reject, let raw): pending.lines.append(.reject(reject, line: number, raw: raw.shifted(by: base)))
                    }
                    checkpoint.offset = endOffset
                    checkpoint.lines = number
                }
                lines += batch.lines.count
                compressedBytesRead = batch.compressedBytesRead
                if batch.isLast { last = batch }
            }
            let verdicts = try ledger.commit(
                pending, locking: .ledger, checkpoint: resumable ? checkpoint : nil,
                now: Int64(Date().timeIntervalSince1970 * 1000))
            for verdict in verdicts { summary.verdicts[verdict, default: 0] += 1 }
            summary.lines += lines
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

extension PostgresLedger {
    public func importer(decoder: EventDecoder, batchSize: Int) -> any LedgerImporting {
        PostgresImporter(ledger: self, decoder: decoder, batchSize: batchSize)
    }
}

private extension Range<Int> {
    func shifted(by offset: Int) -> Range<Int> { (lowerBound + offset)..<(upperBound + offset) }
}
