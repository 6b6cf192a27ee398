import TaskLedgerCore
import TaskLedgerDecoding

/// Why a profile was refused: what is wrong, and where (`file:line`).
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as given (or a built-in's name).
    public var file: String
    /// 1-based line in the YAML, when known.
    public var line: Int?
    public var message: String

    package init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}
