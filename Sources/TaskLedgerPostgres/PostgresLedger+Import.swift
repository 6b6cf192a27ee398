import Foundation
import TaskLedgerCore

extension PostgresLedger: ImportDestination {
    package func beginImport(resumed: Bool, expectedLines: Int64?) throws -> any ImportBatchWriter {
        PostgresImport(ledger: self)
    }
}

/// An import of one file into PostgreSQL: each transaction's lines are collected, then judged
/// under the ledger's write lock and sent with `COPY`, in one transaction with the file's
/// checkpoint, so an interrupted import resumes exactly as on SQLite.
package struct PostgresImport: ImportBatchWriter {
    package let ledger: PostgresLedger
    /// PostgreSQL looks every batch's ids up in one query instead.
    package var seen: DedupeFilter? { nil }

    package func transaction(
        file: String, now: Int64, fill: (_ receive: (DecodedBatch) throws -> Void) throws -> Checkpoint?
    ) throws -> [Verdict: Int] {
        var pending = PendingBatch(file: file)
        let checkpoint = try fill { batch in
            let base = pending.rawBytes.count
            pending.rawBytes.append(contentsOf: batch.rawBytes)
            for (number, _, line) in batch.lines {
                switch line {
                case .blank, .skipped: break
                case .event(let prepared, let raw): pending.lines.append(.event(prepared.event, line: number, raw: raw.shifted(by: base)))
                case .reject(let reject, let raw): pending.lines.append(.reject(reject, line: number, raw: raw.shifted(by: base)))
                }
            }
        }
        var counts: [Verdict: Int] = [:]
        for verdict in try ledger.commit(pending, locking: .ledger, checkpoint: checkpoint, now: now) {
            counts[verdict, default: 0] += 1
        }
        return counts
    }
}

private extension Range<Int> {
    func shifted(by offset: Int) -> Range<Int> { (lowerBound + offset)..<(upperBound + offset) }
}
