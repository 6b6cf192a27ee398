import CZlib
import TaskLedgerCore

/// Why gzip output could not be produced.
package struct GzipWriteError: Error, CustomStringConvertible {
    package var status: Int32
    package var description: String { "zlib deflate failed (status \(status))" }
}

/// Compresses a byte stream into one gzip member through zlib's streaming `deflate`, handing
/// the compressed bytes to `sink` in chunks of up to 1 MiB. Memory stays flat.
package final class GzipWriter {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private var finished = false

    /// `level` is zlib's 0–9 (1 fastest, 9 smallest).
    package init(level: Int32 = 6, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        self.sink = sink
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: 1 << 20, alignment: 16)
        // 15 + 16: a 32 KiB window with a gzip header and trailer.
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            output.deallocate()
            stream.deallocate()
            throw GzipWriteError(status: status)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    /// Compresses `bytes`; output may be held back until later writes or ``finish()``.
    package func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "write after finish")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(bytes.count)
        while stream.pointee.avail_in > 0 {
            try deflateChunk(flush: Z_NO_FLUSH)
        }
    }

    /// Flushes everything and writes the gzip trailer.
    package func finish() throws {
        guard !finished else { return }
        finished = true
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        while try deflateChunk(flush: Z_FINISH) != Z_STREAM_END {}
    }

    @discardableResult
    private func deflateChunk(flush: Int32) throws -> Int32 {
        stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = deflate(stream, flush)
        guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
            throw GzipWriteError(status: status)
        }
        let produced = output.count - Int(stream.pointee.avail_out)
        if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[..<produced])) }
        return status
    }
}
