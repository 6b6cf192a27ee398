import Foundation
import Testing

/// Runs the built `task-ledger` binary as a real process.
enum CLI {
    /// The binary built next to this test runner.
    static let binary: URL = {
        if let override = ProcessInfo.processInfo.environment["TASK_LEDGER_BIN"] {
            return URL(fileURLWithPath: override)
        }
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        // The runner may sit inside a bundle directory (name.xctest/...).
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("task-ledger").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("task-ledger")
    }()

    /// The repository root (for fixtures/).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Starts the binary without waiting.
    static func start(_ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil, directory: URL? = nil, unprivileged: Bool = false, shell: Bool = false) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        if shell {
            // `arguments` is `-c SCRIPT ARG0 ARG1 …` for /bin/sh.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = arguments
        } else if unprivileged && getuid() == 0 {
            // root ignores permission bits: run as nobody so that "read-only" means read-only.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        return (process, out, err)
    }

    @discardableResult
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil, directory: URL? = nil, unprivileged: Bool = false, shell: Bool = false) throws -> Result {
        let (process, out, err) = try start(arguments, stdin: stdin, environment: environment, directory: directory, unprivileged: unprivileged, shell: shell)
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}

