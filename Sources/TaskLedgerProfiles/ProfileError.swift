import TaskLedgerCore
import TaskLedgerDecoding

/// Why a profile was refused: what is wrong, and where (`file:line`). Thrown by
/// ``Profile/init(yaml:file:)``: the YAML does not parse, is not a mapping, has an unknown key
/// or field, a path that cannot be used (an array index, an empty key), or rules that
/// ``RulesError`` refuses.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as given (or a built-in's name).
    public var file: String
    /// 1-based line in the YAML, when known.
    public var line: Int?
    /// What is wrong and what is expected instead (`unknown field 'job' under fields: the
    /// fields are task, state, …`).
    public var message: String

    package init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message` (without `line` when unknown), the form editors jump to.
    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}
