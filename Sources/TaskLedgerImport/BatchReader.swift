import Foundation
import TaskLedgerCore
import TaskLedgerDecoding
import TaskLedgerInput

/// Reads and decodes lines on a thread of its own, so that on two cores JSON decoding overlaps
/// with SQLite writing. Lines are handed over in small batches (``chunkSize``), at most
/// ``queueDepth`` of them waiting: enough to keep the writer busy, little enough to keep memory
/// flat (a transaction spans several of them).
package final class BatchReader: @unchecked Sendable {
    // @unchecked: `source` and `decoder` are used by the reading thread only once it started;
    // `ready` and `cancelled` are guarded by `condition`.
    private let source: LineSource
    private let decoder: EventDecoder
    private let rules: Rules
    /// The ledger's dedupe keys and those of every event read so far (see
    /// ``PreparedEvent/maybeSeen``); owned by the reading thread once handed over.
    private let seen: DedupeFilter?
    private let chunkSize: Int
    /// Lines per handed-over batch. Batches in flight (``queueDepth`` waiting, one being
    /// written, spent ones waiting to be freed) hold their lines and judged events: night 6 of
    /// bench/nightly into a 5-night ledger peaked at 155-157 MB with batches of 5,000, at
    /// 139 MB with 2,500 in the same time (10.6-10.9 s against 10.3-11.1 s, alternating);
    /// 5,000 with a queue of 2 gave 147 MB and 5% more time.
    package static let chunkSize = 2500
    /// Decoded batches that may wait for the writer.
    package static let queueDepth = 4
    private let resumable: Bool
    private let condition = NSCondition()
    private var ready: [DecodedBatch] = []
    /// Batches the writer is done with, freed by the reading thread (see ``recycle(_:)``).
    private var spent: [DecodedBatch] = []
    private var cancelled = false

    /// Starts reading `source` (already positioned) in the background.
    /// Events are prepared (see ``PreparedEvent``) under `rules`; `seen`, if given (see
    /// ``SnapshotCache/start(_:)``), is asked about and given every event's dedupe key by the
    /// reading thread — the caller must not touch it any more.
    package init(
        source: LineSource, decoder: EventDecoder, rules: Rules, seen: DedupeFilter? = nil, resumable: Bool,
        chunkSize: Int = BatchReader.chunkSize
    ) {
        self.source = source
        self.decoder = decoder
        self.rules = rules
        self.seen = seen
        self.chunkSize = chunkSize
        self.resumable = resumable
        let thread = Thread { [self] in self.run() }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The next batch, waiting for it if needed. After a batch with `isLast`, do not call again.
    package func next() -> DecodedBatch {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty { condition.wait() }
        let batch = ready.removeFirst()
        condition.broadcast()
        return batch
    }

    /// Hands a batch the writer has finished with back to the reading thread, which frees it:
    /// releasing a batch's thousands of events is work the writing thread — the import's
    /// bottleneck — need not do (callgrind: -1% of its instructions); the reader has room.
    package func recycle(_ batch: consuming DecodedBatch) {
        condition.lock()
        if !cancelled { spent.append(batch) }
        condition.unlock()
    }

    /// Stops the reading thread at its next batch boundary.
    package func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        var toFree: [DecodedBatch] = []
        while true {
            toFree.removeAll()
            let batch = readBatch()
            condition.lock()
            while ready.count >= BatchReader.queueDepth && !cancelled { condition.wait() }
            swap(&toFree, &spent)
            if cancelled {
                spent.removeAll()
                condition.unlock()
                return
            }
            ready.append(batch)
            condition.broadcast()
            condition.unlock()
            if batch.isLast { return }
        }
    }

    private func readBatch() -> DecodedBatch {
        var batch = DecodedBatch()
        batch.lines.reserveCapacity(chunkSize)
        while batch.lines.count < chunkSize {
            let next: LineSource.Line?
            do {
                next = try source.next()
            } catch {
                batch.damage = error
                batch.isLast = true
                break
            }
            guard let line = next else {
                batch.isLast = true
                break
            }
            let decoded: DecodedLine
            if line.isTooLong {
                decoded = .reject(
                    LineReject(
                        kind: .malformed,
                        message: "line too long: \(line.length) bytes, over the \(source.maxLineLength)-byte limit (first \(LineSource.keptBytes) kept)"),
                    raw: batch.keep(line.bytes))
            } else if line.isBlank {
                decoded = .blank
            } else {
                switch decoder.read(line.bytes) {
                case .event(let event):
                    decoded = .event(PreparedEvent(event, rules: rules, seen: seen), raw: batch.keep(line.bytes))
                case .skipped:
                    decoded = .skipped
                case .reject(let reject):
                    if !line.endsWithNewline && resumable {
                        batch.leftPendingLine = true
                        batch.isLast = true
                        batch.compressedBytesRead = source.compressedBytesRead
                        return batch
                    }
                    decoded = .reject(reject, raw: batch.keep(line.bytes))
                }
            }
            batch.lines.append((line.number, line.endOffset, decoded))
        }
        batch.compressedBytesRead = source.compressedBytesRead
        return batch
    }
}
