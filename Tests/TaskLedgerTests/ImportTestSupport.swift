import Foundation
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerDecoding
@testable import TaskLedgerImport
@testable import TaskLedgerInput
@testable import TaskLedgerPostgres
@testable import TaskLedgerProfiles
@testable import TaskLedgerReport
@testable import TaskLedgerSQLite
@testable import TaskLedgerTestData

/// A line as a test compares it: copied out of the source's borrowed buffer.
struct ReadLine: Equatable, CustomStringConvertible {
    var number: Int
    var text: String
    var endOffset: Int64
    var endsWithNewline: Bool
    var isTooLong = false

    init(_ line: LineSource.Line) {
        number = line.number
        text = String(decoding: line.bytes, as: UTF8.self)
        endOffset = line.endOffset
        endsWithNewline = line.endsWithNewline
        isTooLong = line.isTooLong
    }

    init(_ number: Int, _ text: String, _ endOffset: Int64, newline: Bool = true) {
        self.number = number
        self.text = text
        self.endOffset = endOffset
        endsWithNewline = newline
    }

    var description: String { "\(number)@\(endOffset)\(endsWithNewline ? "" : "(no nl)"): \(text)" }
}

/// Reads every line; the error, if reading ended in one, comes back with the lines before it.
func readAll(_ source: LineSource) -> (lines: [ReadLine], error: ImportError?) {
    var lines: [ReadLine] = []
    do {
        while let line = try source.next() { lines.append(ReadLine(line)) }
    } catch {
        return (lines, error)
    }
    return (lines, nil)
}

func readAll(path: String) throws -> [ReadLine] {
    let (lines, error) = readAll(try LineSource(path: path))
    if let error { throw error }
    return lines
}

/// Runs the system `gzip` with `arguments`, feeding `input` on stdin; returns its stdout.
func runGzip(_ arguments: [String], input: [UInt8] = []) throws -> [UInt8] {
    let process = Process()
    let candidates = ["/usr/bin/gzip", "/bin/gzip"]
    let executable = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) })
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let stdin = Pipe()
    let stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    try process.run()
    // Write from another thread so a large output cannot dead-lock against a full input pipe.
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "gzip \(arguments) failed")
    return Array(output)
}

/// Compresses with our zlib writer.
func zlibGzip(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
    var out: [UInt8] = []
    let writer = try GzipWriter(level: level) { out.append(contentsOf: $0) }
    try bytes.withUnsafeBytes { try writer.write($0) }
    try writer.finish()
    return out
}

/// JSONL-ish content of `count` numbered lines, big enough to span several 1 MiB chunks when
/// `count` is large.
func sampleLines(_ count: Int) -> [UInt8] {
    var text = ""
    for i in 1...count {
        text += "{\"task\":\"job-\(i % 97)\",\"state\":\"RUNNING\",\"seq\":\(i),\"pad\":\"\(String(repeating: "x", count: i % 50))\"}\n"
    }
    return Array(text.utf8)
}
