#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A low-level failure of the byte layer; ``LineSource`` turns it into an ``ImportError`` that
/// names the file and line.
package enum StreamFailure: Error, Equatable {
    case read(errno: Int32)
    case truncated
    case corrupt(String)
}

/// An open file descriptor (a path, or stdin for `-`) read in large chunks.
package final class InputFile {
    package let descriptor: Int32
    private let ownsDescriptor: Bool
    /// Size in bytes for a regular file when opened; nil for stdin, FIFOs and devices.
    package let size: Int64?
    /// Bytes read from the descriptor so far (after a seek: the position).
    private(set) var position: Int64 = 0

    /// Opens `path` (`-` is stdin) for reading. Throws for a missing or unreadable path and for
    /// a directory.
    package init(path: String) throws(ImportError) {
        if path == "-" {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        } else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw .cannotOpen(file: path, reason: String(cString: strerror(errno)))
            }
            descriptor = fd
            ownsDescriptor = true
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            if ownsDescriptor { close(descriptor) }
            throw .cannotOpen(file: path, reason: reason)
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR {
            if ownsDescriptor { close(descriptor) }
            throw .isDirectory(file: path)
        }
        size = type == S_IFREG ? Int64(info.st_size) : nil
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Whether ``seek(to:)`` works: only regular files can be positioned.
    package var isSeekable: Bool { size != nil }

    /// The file's size now (it may have grown since it was opened); nil if not a regular file.
    package func currentSize() -> Int64? {
        var info = stat()
        guard isSeekable, fstat(descriptor, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// Reads up to `space.count` bytes; 0 means end of file. Retries on EINTR.
    package func read(into space: UnsafeMutableRawBufferPointer) throws(StreamFailure) -> Int {
        guard let base = space.baseAddress, space.count > 0 else { return 0 }
        while true {
            let n = readDescriptor(descriptor, base, space.count)
            if n >= 0 {
                position += Int64(n)
                return n
            }
            if errno != EINTR { throw .read(errno: errno) }
        }
    }

    /// Reads until `space` is full or the file ends; returns the byte count.
    package func readFully(into space: UnsafeMutableRawBufferPointer) throws(StreamFailure) -> Int {
        var filled = 0
        while filled < space.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: space[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    /// Positions a regular file at `offset` bytes from its start.
    package func seek(to offset: Int64) throws(StreamFailure) {
        guard lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else { throw .read(errno: errno) }
        position = offset
    }
}

/// `read(2)`, reachable from inside ``InputFile`` whose own `read` shadows it.
private func readDescriptor(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
