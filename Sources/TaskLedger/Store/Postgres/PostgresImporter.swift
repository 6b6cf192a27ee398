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
        let began = Date()
        var summary = ImportSummary()
        let start = try ImportStart(path: path, saved: { try ledger.checkpoint(path: path) })
        summary.resumedLines = start.resumedLines
        var checkpoint = start.checkpoint
        let fileSize = start.source.fileSize
        let reader = BatchReader(
            source: start.source, decoder: decoder, rules: ledger.rules, resumable: start.resumable, chunkSize: min(batchSize, BatchReader.chunkSize))
        defer { reader.cancel() }
        var last: DecodedBatch?
        while last == nil {
            if shouldStop() {
                summary.elapsed = Date().timeIntervalSince(began)
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
                    case .event(let prepared, let raw): pending.lines.append(.event(prepared.event, line: number, raw: raw.shifted(by: base)))
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
                pending, locking: .ledger, checkpoint: start.resumable ? checkpoint : nil,
                now: Int64(Date().timeIntervalSince1970 * 1000))
            for verdict in verdicts { summary.verdicts[verdict, default: 0] += 1 }
            summary.lines += lines
            summary.elapsed = Date().timeIntervalSince(began)
            progress(ImportProgress(
                file: path, summary: summary, compressedBytesRead: compressedBytesRead, fileSize: fileSize))
        }
        try summary.finish(file: path, last: last, start: start, checkpoint: checkpoint)
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
