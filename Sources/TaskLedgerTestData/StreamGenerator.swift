#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TaskLedgerCore

/// A deterministic synthetic JSONL status stream, for benchmarks and tests: about ten events per
/// task, many tasks in flight at once, the key and spelling variety of real producers, and the
/// bad lines of SPEC §4 at a chosen rate.
///
/// The same arguments always give byte-identical output (its own seeded generator, fixed start
/// time 2026-03-01T00:00:00Z). Memory stays flat: output goes out in chunks of about 1 MiB.
package struct StreamGenerator: Sendable {
    /// How many distinct tasks the stream describes.
    package var tasks: Int
    /// Picks the stream: different seeds give different streams and different event ids.
    package var seed: UInt64
    /// Chance, per event, of a bad line (malformed, missing or bad field, bad timestamp,
    /// duplicate, unknown state, after terminal, illegal transition, out of order).
    package var violationRate: Double
    /// Tasks in flight at once: how far their events interleave.
    package var concurrency: Int = 2_000
    /// zlib level for gzip output (1 fastest … 9 smallest).
    package var gzipLevel: Int32 = 6
    /// The shape of event ids and task ids.
    package var ids: IDShape = .sequential
    /// Which night of a series this stream is (1 = the first), or nil for a lone stream.
    /// Night N covers the day 2026-03-01 + (N − 1): its tasks are new (numbered after the
    /// earlier nights'), their starts spread over that day so that the tasks still running
    /// at its end run past midnight, and its seed is mixed with N.
    package var night: Int?

    /// How ids look in the stream.
    package enum IDShape: String, Sendable, CaseIterable {
        /// Event ids `prefix-1, prefix-2, …` in file order; tasks `job-N` (and numbers) in
        /// order of their first event. A B-tree receives them at its right edge.
        case sequential
        /// As real producers write them: a random UUID per event; task ids that are UUIDs
        /// (nine in ten) or scattered build numbers, in no order.
        case uuid
    }

    /// A stream of `tasks` tasks, chosen by `seed`, with bad lines at `violationRate` per event.
    package init(tasks: Int, seed: UInt64, violationRate: Double = 0.01) {
        precondition(tasks >= 0 && (0...1).contains(violationRate))
        self.tasks = tasks
        self.seed = seed
        self.violationRate = violationRate
    }

    /// Generates the stream, gzip-compressed (one member) if `gzip`, and hands it to `sink`
    /// in chunks; the bytes are valid only during each call.
    package func generate(gzip: Bool = false, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try withoutActuallyEscaping(sink) { sink in
            var run = GeneratorRun(self)
            if gzip {
                let writer = try GzipWriter(level: gzipLevel, sink: sink)
                try run.generate { try writer.write($0) }
                try writer.finish()
            } else {
                try run.generate(sink)
            }
        }
    }

    /// Writes the stream to the file at `path` (created or replaced; `-` is standard output).
    package func write(toPath path: String, gzip: Bool = false) throws {
        let fd = path == "-" ? STDOUT_FILENO : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
        defer { if fd != STDOUT_FILENO { close(fd) } }
        try generate(gzip: gzip) { chunk in
            var done = 0
            while done < chunk.count {
                let n = writeDescriptor(fd, chunk.baseAddress! + done, chunk.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw OutputError(path: path, reason: String(cString: strerror(errno)))
                }
                done += n
            }
        }
    }
}

/// A generated stream could not be written.
package struct OutputError: Error, Equatable, CustomStringConvertible {
    /// The output path as given.
    package var path: String
    /// The system's `strerror` text.
    package var reason: String

    package var description: String { "\(path): cannot write (\(reason)); check the path and free space" }
}

/// `write(2)`, reachable from inside ``StreamGenerator`` whose own `write` shadows it.
private func writeDescriptor(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
