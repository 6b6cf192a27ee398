import GRDB
import TaskLedgerCore

extension SQLiteLedger: ImportDestination {
    package func checkpoint(path: String) throws -> Checkpoint? {
        try read { try Checkpoint.fetch($0, path: path) }
    }

    package func beginImport(resumed: Bool, expectedLines: Int64?) throws -> any ImportBatchWriter {
        try importing(cacheCapacity: SnapshotCache.defaultCapacity).beginImport(resumed: resumed, expectedLines: expectedLines)
    }

    /// 100,000 lines per transaction: every commit writes each page the transaction dirtied
    /// (the id tail's, above all) to the WAL once, so fewer commits write less. Measured
    /// (bench/nightly's nights, release): night 1 into a fresh ledger 9.25 s at 20,000,
    /// 7.78 s at 100,000, 7.76 s at 200,000; night 8 into the 7-night ledger 20.6 s → 14.1 s;
    /// peak RSS the same (138–141 MB). A live writer waits for at most one batch (~1 s).
    package static let importBatchSize = 100_000
    package var preferredBatchSize: Int { Self.importBatchSize }
}

/// An import of one file into an SQLite ledger: every line recorded through the same write path
/// as a live write (``EventRecorder``), with snapshots cached across transactions.
package final class SQLiteImport: ImportBatchWriter {
    private let ledger: SQLiteLedger
    private let cache: SnapshotCache
    /// The reading thread continues a filter of the ledger's dedupe keys (for ledgers of up to
    /// ``SnapshotCache/filterLimit`` events), so that certainly new lines skip the index probe;
    /// the cache believes it only while nobody else writes.
    package let seen: DedupeFilter?

    /// `cacheCapacity` bounds the snapshots kept between transactions (see ``SnapshotCache``);
    /// `expectedLines` sizes the dedupe filter of a small ledger.
    package init(ledger: SQLiteLedger, resumed: Bool, cacheCapacity: Int, expectedLines: Int64? = nil) throws {
        self.ledger = ledger
        let cache = SnapshotCache(capacity: cacheCapacity)
        seen = try ledger.writeTransaction { db in
            try cache.start(db, loadingKeys: !resumed, expectedLines: expectedLines)
        }
        self.cache = cache
    }

    package func transaction(
        file: String, now: Int64, fill: (_ receive: (DecodedBatch) throws -> Void) throws -> Checkpoint?
    ) throws -> [Verdict: Int] {
        try ledger.writeTransaction { db in
            try cache.validate(db)
            let recorder = try EventRecorder(db: db, rules: ledger.rules, cache: cache, tailLimit: ledger.tailLimit, taskTailLimit: ledger.taskTailLimit)
            var verdicts: [Verdict: Int] = [:]
            var applied = 0
            let checkpoint = try fill { batch in
                for (number, _, line) in batch.lines {
                    switch line {
                    case .blank, .skipped:
                        break
                    case .event(let event, let raw):
                        let verdict = try recorder.record(
                            event, origin: EventOrigin(file: file, line: number), raw: batch.text(raw))
                        // Most lines are applied: a counter, not a dictionary update each.
                        if verdict == .applied { applied += 1 } else { verdicts[verdict, default: 0] += 1 }
                    case .reject(let reject, let raw):
                        try recorder.reject(reject, origin: EventOrigin(file: file, line: number), raw: batch.text(raw))
                        verdicts[reject.kind.verdict, default: 0] += 1
                    }
                }
            }
            try recorder.flush()
            if applied > 0 { verdicts[.applied, default: 0] += applied }
            try checkpoint?.save(db, now: now)
            try cache.commit(db)
            return verdicts
        }
    }

    /// Keeps the filter for the next import, if it is still complete: it holds every key the
    /// ledger had when the import started and every line's since, and nobody else has written.
    package func finish() throws {
        guard let seen else { return }
        try ledger.writeTransaction { db in
            try cache.validate(db)
            guard cache.believesMaybeSeen else { return }
            let last = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM task_events") ?? 0
            try StoredFilter.save(db, seen, lastSeq: last)
            try cache.commit(db)
        }
    }
}

extension SQLiteLedger {
    /// This ledger as an import destination whose snapshot cache holds at most `capacity`
    /// tasks (the default, ``SnapshotCache/defaultCapacity``, fits a 1M-line stream).
    package func importing(cacheCapacity capacity: Int) -> some ImportDestination {
        CacheBoundDestination(ledger: self, capacity: capacity)
    }
}

private struct CacheBoundDestination: ImportDestination {
    let ledger: SQLiteLedger
    let capacity: Int
    var rules: Rules { ledger.rules }

    func checkpoint(path: String) throws -> Checkpoint? { try ledger.checkpoint(path: path) }

    func beginImport(resumed: Bool, expectedLines: Int64?) throws -> any ImportBatchWriter {
        try SQLiteImport(ledger: ledger, resumed: resumed, cacheCapacity: capacity, expectedLines: expectedLines)
    }

    var preferredBatchSize: Int { SQLiteLedger.importBatchSize }
}
