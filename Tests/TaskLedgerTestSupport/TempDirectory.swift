import Foundation
import Synchronization

/// A fresh directory under the system temp dir, removed (with everything in it) when the value
/// is deinitialised: the one temp-directory helper of every test target.
package final class TempDirectory: @unchecked Sendable {
    package let url: URL

    package init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("task-ledger-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        // A test may have made the directory read-only; make it removable again.
        chmod(url.path, 0o755)
        try? FileManager.default.removeItem(at: url)
    }

    package func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    package func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    @discardableResult
    package func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    package func append(_ name: String, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path(name)))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }
}

extension TempDirectory {
    /// A directory that lives until the test process exits, for helpers that hand out only a
    /// ledger or a path (an open ledger must not outlive its directory); an `atexit` handler
    /// removes every such directory when the tests end.
    package static func untilExit() throws -> TempDirectory {
        let directory = try TempDirectory()
        kept.withLock { list in
            if list.isEmpty { atexit { TempDirectory.kept.withLock { $0.removeAll() } } }
            list.append(directory)
        }
        return directory
    }

    private static let kept = Mutex<[TempDirectory]>([])
}
