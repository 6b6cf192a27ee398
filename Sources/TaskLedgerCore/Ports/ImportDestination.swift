/// The port an import writes through: a store that receives decoded batches and commits each
/// transaction together with the file's checkpoint, so that an interrupted import resumes
/// where its last commit ended. The one import loop (`Importer`) drives it for every store.
package protocol ImportDestination: Sendable {
    /// The rules events are judged by (the reading thread prepares events under them).
    var rules: Rules { get }
    /// The checkpoint stored for `path`, or nil if the file was never imported.
    func checkpoint(path: String) throws -> Checkpoint?
    /// Starts the import of one file. `resumed` is true when it continues from a checkpoint;
    /// `expectedLines`, if known, is about the most lines the file can hold (from its size), for
    /// a store that sizes what it keeps by it.
    func beginImport(resumed: Bool, expectedLines: Int64?) throws -> any ImportBatchWriter
    /// Lines per transaction when the caller names none.
    var preferredBatchSize: Int { get }
}

extension ImportDestination {
    /// 20,000 lines: a PostgreSQL batch is held in memory for its COPY (peak RSS ≤ 112 MB at
    /// this size on bench/nightly's nights).
    package var preferredBatchSize: Int { 20_000 }
}

/// One file's import into a store, a transaction at a time.
package protocol ImportBatchWriter {
    /// A filter of the dedupe keys already in the ledger, for the reading thread to continue
    /// (see ``PreparedEvent/maybeSeen``); nil when the store does not use one.
    var seen: DedupeFilter? { get }
    /// Runs one transaction: `fill` hands every decoded chunk of the transaction to `receive`
    /// and returns the checkpoint to commit with it (nil for stdin). Returns the verdicts
    /// of the transaction's events and rejects, counted.
    func transaction(
        file: String, now: Int64,
        fill: (_ receive: (DecodedBatch) throws -> Void) throws -> Checkpoint?
    ) throws -> [Verdict: Int]
    /// Called once the last transaction committed and the reading thread has read its last
    /// line (``seen`` no longer changes).
    func finish() throws
}

extension ImportBatchWriter {
    package func finish() throws {}
}
