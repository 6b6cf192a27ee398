#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a JSONL file (or `-`, standard input) as a stream of lines, decompressing gzip on the
/// fly, with memory bounded by a few MiB whatever the file or line size.
///
/// - Gzip is detected by the magic bytes `1f 8b`, whatever the name. A non-empty file named
///   `*.gz` without them is decoded as gzip anyway (as SPEC §2 says), so it fails as corrupt
///   rather than being imported as binary garbage. Concatenated members are one stream.
/// - Lines split on `\n`; one trailing `\r` is stripped. Every physical line is numbered,
///   blank ones too. A final line without `\n` is returned and flagged.
/// - Damage (a truncated or corrupt gzip, a read error) is thrown only after every complete
///   line before it has been returned; the error names the file and the line.
package final class LineSource {
    /// One line. Its bytes are borrowed from the source: valid until the next call on it.
    package struct Line {
        /// The line without its `\n` and trailing `\r`; only the first ``LineSource/keptBytes``
        /// when ``isTooLong``.
        package let bytes: UnsafeRawBufferPointer
        /// 1-based physical line number.
        package let number: Int
        /// Decompressed byte offset just after the line, its `\n` included: where reading
        /// resumes (see ``LineSource/skip(toOffset:lines:)``).
        package let endOffset: Int64
        /// False for a final line that the file ends in without `\n` (maybe still being written).
        package let endsWithNewline: Bool
        /// The line had more than ``LineSource/maxLineLength`` bytes before its `\n`; the rest
        /// was skipped without being buffered.
        package let isTooLong: Bool
        /// The line's full length in bytes, before `\n` (a `\r` counted only if not stripped).
        package let length: Int64

        /// Empty, or only spaces and tabs: skipped by the importer (but counted).
        package var isBlank: Bool {
            if isTooLong { return false }
            for byte in bytes where byte != 0x20 && byte != 0x09 { return false }
            return true
        }
    }

    /// Lines longer than this (1 MiB) are returned flagged ``Line/isTooLong``.
    package let maxLineLength: Int
    /// How much of a too-long line is kept, for the reject's raw text.
    package static let keptBytes = 1024
    /// The path as given (`-` for stdin).
    package let path: String
    /// Whether the input is decompressed as gzip.
    package let isGzip: Bool
    /// The file's size for a regular file; nil for stdin and FIFOs. With
    /// ``compressedBytesRead`` it gives a percent for progress.
    package var fileSize: Int64? { file.size }
    /// Bytes of the file itself (compressed, for gzip) read so far.
    package var compressedBytesRead: Int64 { file.position }
    /// Number of the last line returned (or skipped by ``skip(toOffset:lines:)``).
    package private(set) var lineNumber = 0

    private let file: InputFile
    private let inflater: GzipInflater?
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private let longLinePrefix: UnsafeMutableRawPointer
    /// Unconsumed bytes are `buffer[start..<end]`.
    private var start = 0
    private var end = 0
    /// Decompressed offset of `buffer[0]`.
    private var bufferOffset: Int64 = 0
    private var atEnd = false
    /// Damage already met: thrown again by every later call.
    private var failure: ImportError?

    /// Opens `path` (`-` for stdin). Throws ``ImportError`` if it cannot be opened or is a
    /// directory.
    package convenience init(path: String) throws(ImportError) {
        try self.init(path: path, maxLineLength: 1 << 20)
    }

    package init(path: String, maxLineLength: Int) throws(ImportError) {
        precondition(maxLineLength >= Self.keptBytes)
        self.path = path
        self.maxLineLength = maxLineLength
        file = try InputFile(path: path)
        // Room for the longest line plus a full 1 MiB read after it.
        capacity = maxLineLength + (1 << 20)
        buffer = .allocate(byteCount: capacity, alignment: 16)
        longLinePrefix = .allocate(byteCount: Self.keptBytes, alignment: 1)
        let magic = UnsafeMutableRawBufferPointer(start: buffer, count: 2)
        var peeked = 0
        do { peeked = try file.readFully(into: magic) } catch { failure = Self.describe(error, path, 1) }
        let hasMagic = peeked == 2 && magic[0] == 0x1F && magic[1] == 0x8B
        isGzip = hasMagic || (peeked > 0 && path.hasSuffix(".gz"))
        if isGzip {
            do {
                inflater = try GzipInflater(file: file, prefix: UnsafeRawBufferPointer(rebasing: magic[..<peeked]))
            } catch {
                inflater = nil
                failure = Self.describe(error, path, 1)
            }
        } else {
            inflater = nil
            end = peeked
        }
    }

    deinit {
        buffer.deallocate()
        longLinePrefix.deallocate()
    }

    /// The next line, or nil at the end of the input. The line's bytes are valid until the
    /// next call.
    package func next() throws(ImportError) -> Line? {
        while true {
            let pending = end - start
            if pending > 0, let newline = memchr(buffer + start, 0x0A, pending) {
                return line(endingAt: buffer.distance(to: newline), newline: true)
            }
            if pending > maxLineLength { return try skipTooLongLine() }
            if try !fill() {
                return end > start ? line(endingAt: end, newline: false) : nil
            }
        }
    }

    /// The first up to `maxBytes` decompressed bytes, for the file's identity. Call it before
    /// reading any line; it consumes nothing. Damage is not thrown here but by ``next()``.
    package func head(maxBytes: Int = 4096) -> [UInt8] {
        precondition(lineNumber == 0 && bufferOffset + Int64(start) == 0, "head() must come before reading")
        precondition(maxBytes <= maxLineLength)
        while end - start < maxBytes {
            do { if try !fill() { break } } catch { break }
        }
        return Array(UnsafeRawBufferPointer(start: buffer + start, count: min(maxBytes, end - start)))
    }

    /// Positions the source after the first `offset` decompressed bytes, counting them as
    /// `lines` lines (a checkpoint from an earlier import). Call it before reading any line.
    ///
    /// A regular plain file is positioned with `lseek`; gzip, stdin and FIFOs are read and
    /// discarded. Returns false when the input ends before `offset`: it is not the file the
    /// checkpoint was made from, so read it from the start with a new `LineSource`.
    @discardableResult
    package func skip(toOffset offset: Int64, lines: Int) throws(ImportError) -> Bool {
        precondition(lineNumber == 0 && bufferOffset + Int64(start) == 0, "skip() must come before reading")
        precondition(offset >= 0 && lines >= 0)
        lineNumber = lines
        if offset <= bufferOffset + Int64(end) {
            start = Int(offset - bufferOffset)
            return true
        }
        if inflater == nil, failure == nil, let size = file.currentSize() {
            guard offset <= size else { return false }
            do { try file.seek(to: offset) } catch { throw fail(error) }
            bufferOffset = offset
            start = 0
            end = 0
            return true
        }
        var remaining = offset - bufferOffset - Int64(end)
        start = end
        while remaining > 0 {
            guard try fill() else { return false }
            let taken = Int(min(Int64(end), remaining))
            start = taken
            remaining -= Int64(taken)
        }
        return true
    }

    private func line(endingAt lineEnd: Int, newline: Bool) -> Line {
        lineNumber += 1
        let lineStart = start
        start = newline ? lineEnd + 1 : lineEnd
        let endOffset = bufferOffset + Int64(start)
        var length = lineEnd - lineStart
        if length > maxLineLength {
            let kept = UnsafeRawBufferPointer(start: buffer + lineStart, count: Self.keptBytes)
            return Line(bytes: kept, number: lineNumber, endOffset: endOffset, endsWithNewline: newline,
                        isTooLong: true, length: Int64(length))
        }
        if length > 0, buffer.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D { length -= 1 }
        let bytes = UnsafeRawBufferPointer(start: buffer + lineStart, count: length)
        return Line(bytes: bytes, number: lineNumber, endOffset: endOffset, endsWithNewline: newline,
                    isTooLong: false, length: Int64(length))
    }

    /// Keeps the first bytes of a line longer than the limit and reads past the rest chunk by
    /// chunk, without buffering it.
    private func skipTooLongLine() throws(ImportError) -> Line {
        longLinePrefix.copyMemory(from: buffer + start, byteCount: Self.keptBytes)
        let kept = UnsafeRawBufferPointer(start: longLinePrefix, count: Self.keptBytes)
        var length = Int64(end - start)
        start = end
        while try fill() {
            if let newline = memchr(buffer, 0x0A, end) {
                let index = buffer.distance(to: newline)
                length += Int64(index)
                start = index + 1
                lineNumber += 1
                return Line(bytes: kept, number: lineNumber, endOffset: bufferOffset + Int64(start),
                            endsWithNewline: true, isTooLong: true, length: length)
            }
            length += Int64(end)
            start = end
        }
        lineNumber += 1
        return Line(bytes: kept, number: lineNumber, endOffset: bufferOffset + Int64(end),
                    endsWithNewline: false, isTooLong: true, length: length)
    }

    /// Moves the unconsumed bytes to the front and reads more after them. False at the end.
    private func fill() throws(ImportError) -> Bool {
        if let failure { throw failure }
        if atEnd { return false }
        if start > 0 {
            if end > start { memmove(buffer, buffer + start, end - start) }
            bufferOffset += Int64(start)
            end -= start
            start = 0
        }
        let space = UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end)
        let count: Int
        do {
            if let inflater { count = try inflater.read(into: space) } else { count = try file.read(into: space) }
        } catch {
            throw fail(error)
        }
        if count == 0 {
            atEnd = true
            return false
        }
        end += count
        return true
    }

    private func fail(_ error: StreamFailure) -> ImportError {
        let described = Self.describe(error, path, lineNumber + 1)
        failure = described
        return described
    }

    private static func describe(_ error: StreamFailure, _ path: String, _ line: Int) -> ImportError {
        switch error {
        case .read(let code): .readFailed(file: path, line: line, reason: String(cString: strerror(code)))
        case .truncated: .gzipTruncated(file: path, line: line)
        case .corrupt(let reason): .gzipCorrupt(file: path, line: line, reason: reason)
        }
    }
}
