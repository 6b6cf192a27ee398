import CZlib

/// Decompresses a gzip file through zlib's streaming `inflate`, in large chunks, with flat
/// memory. Concatenated members (`cat a.gz b.gz`) read as one stream.
///
/// Damage is reported only after every byte decoded before it has been returned: a call that
/// decodes some bytes and then meets damage returns the bytes, and the next call throws.
package final class GzipInflater {
    package static let inputChunk = 1 << 20

    private let file: InputFile
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    /// Input has been fed to the current member and its end not seen yet.
    private var inMember = false
    private var finished = false
    private var deferred: StreamFailure?

    /// Starts decoding `file`, whose first bytes `prefix` were already read from it.
    package init(file: InputFile, prefix: UnsafeRawBufferPointer) throws(StreamFailure) {
        self.file = file
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(byteCount: Self.inputChunk, alignment: 16)
        // 15 + 16: a 32 KiB window and a gzip wrapper only (a raw zlib stream is corrupt here).
        let status = inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            input.deallocate()
            stream.deallocate()
            throw .corrupt("zlib could not start: \(status)")
        }
        if prefix.count > 0 {
            input.copyMemory(from: prefix)
            stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = uInt(prefix.count)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Fills `output` with decompressed bytes; returns how many, 0 at the end of the last member.
    package func read(into output: UnsafeMutableRawBufferPointer) throws(StreamFailure) -> Int {
        if let deferred { throw deferred }
        guard !finished, let base = output.baseAddress, output.count > 0 else { return 0 }
        let z = stream
        z.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
        z.pointee.avail_out = uInt(min(output.count, Int(UInt32.max)))
        let produced = { output.count - Int(z.pointee.avail_out) }
        while z.pointee.avail_out > 0 {
            if z.pointee.avail_in == 0 {
                if !inputEnded {
                    do { try refill() } catch { return try fail(error, produced: produced()) }
                }
                if z.pointee.avail_in == 0 {
                    if inMember { return try fail(.truncated, produced: produced()) }
                    finished = true
                    break
                }
            }
            inMember = true
            let status = inflate(z, Z_NO_FLUSH)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                // A member ended; another may follow (multi-member gzip).
                inMember = false
                inflateReset(z)
            default:
                let message = z.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                return try fail(.corrupt(message), produced: produced())
            }
        }
        return produced()
    }

    private func refill() throws(StreamFailure) {
        let n = try file.read(into: input)
        if n == 0 {
            inputEnded = true
            return
        }
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(n)
    }

    /// Returns the bytes decoded before the damage, or throws if there are none.
    private func fail(_ failure: StreamFailure, produced: Int) throws(StreamFailure) -> Int {
        deferred = failure
        if produced == 0 { throw failure }
        return produced
    }
}
