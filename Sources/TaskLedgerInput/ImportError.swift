/// Why an input file could not be read to its end. Each message names the file (and the line
/// where reading stopped) and says what to do; an importer exits 3 on any of them.
///
/// ``Ledger/importFile(_:decoder:batchSize:progress:shouldStop:)`` throws one itself when the
/// file cannot be opened (or read up to its checkpoint): nothing of this run was imported then.
/// Damage found part way arrives inside ``ImportAborted/Reason/damaged(_:)`` instead, after
/// every complete line before it was committed.
public enum ImportError: Error, Equatable, CustomStringConvertible {
    /// The path could not be opened; `reason` is the system's `strerror` text. The message says
    /// to check the path and its permissions.
    case cannotOpen(file: String, reason: String)
    /// The path names a directory, not a file; the message says to pass the files inside it.
    case isDirectory(file: String)
    /// A read from the file failed part way; `reason` is the system's `strerror` text. The
    /// lines before `line` were read; the message says to re-run to resume.
    case readFailed(file: String, line: Int, reason: String)
    /// The gzip data ended inside a member: the file was cut short (or is still being written).
    /// Every complete line before `line` was delivered; the message says to re-run once the
    /// file is complete.
    case gzipTruncated(file: String, line: Int)
    /// zlib rejected the gzip data; `reason` is zlib's message. Every complete line before
    /// `line` was delivered; the message says to recompress or restore the file.
    case gzipCorrupt(file: String, line: Int, reason: String)

    /// One line for people: `file:line`, what went wrong, how many lines were read, what to do.
    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason):
            "\(file): cannot open (\(reason)); check the path and its permissions"
        case .isDirectory(let file):
            "\(file): is a directory; pass the log files inside it"
        case .readFailed(let file, let line, let reason):
            "\(file):\(line): read error (\(reason)) — \(Self.linesBefore(line)) were read; re-run to resume"
        case .gzipTruncated(let file, let line):
            "\(file):\(line): gzip stream truncated — \(Self.linesBefore(line)) were read; re-run once the file is complete"
        case .gzipCorrupt(let file, let line, let reason):
            "\(file):\(line): gzip data corrupt (\(reason)) — \(Self.linesBefore(line)) were read; recompress or restore the file"
        }
    }

    private static func linesBefore(_ line: Int) -> String {
        line - 1 == 1 ? "the 1 line before it" : "the \(line - 1) lines before it"
    }
}
