import Foundation
import TaskLedgerTestSupport
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

@Suite("StreamGenerator")
struct StreamGeneratorTests {
    static func bytes(_ generator: StreamGenerator, gzip: Bool = false) throws -> [UInt8] {
        var out: [UInt8] = []
        try generator.generate(gzip: gzip) { out.append(contentsOf: $0) }
        return out
    }

    static func lines(_ bytes: [UInt8]) -> [Substring] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    @Test func sameArgumentsGiveByteIdenticalOutput() throws {
        let generator = StreamGenerator(tasks: 3_000, seed: 42)
        #expect(try Self.bytes(generator) == Self.bytes(generator))
        #expect(try Self.bytes(generator, gzip: true) == Self.bytes(generator, gzip: true))
        #expect(try Self.bytes(generator) != Self.bytes(StreamGenerator(tasks: 3_000, seed: 43)))
    }

    @Test func aboutTenLinesPerTaskOfAboutOneHundredToTwoHundredBytes() throws {
        let bytes = try Self.bytes(StreamGenerator(tasks: 5_000, seed: 7))
        let lines = Self.lines(bytes)
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect((42_000...58_000).contains(lines.count), "\(lines.count) lines")
        let average = bytes.count / lines.count
        #expect((100...200).contains(average), "average line \(average) bytes")
    }

    @Test func tasksInterleave() throws {
        let lines = Self.lines(try Self.bytes(StreamGenerator(tasks: 5_000, seed: 1, violationRate: 0)))
        var tasks = Set<String>()
        for line in lines[2_000..<3_000] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let task = object["task"] ?? object["task_id"] ?? object["req"]
            tasks.insert("\(task ?? "none")")
        }
        #expect(tasks.count > 300)
    }

    @Test func withoutViolationsEveryLineIsAJSONObjectWithTaskStateAndTime() throws {
        let lines = Self.lines(try Self.bytes(StreamGenerator(tasks: 2_000, seed: 3, violationRate: 0)))
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(["task", "task_id", "req"].contains { object[$0] != nil })
            #expect(["state", "status"].contains { object[$0] != nil })
            #expect(["ts", "timestamp", "time"].contains { object[$0] != nil })
        }
    }

    @Test func keysSpellingsAndViolationsVary() throws {
        let text = String(decoding: try Self.bytes(StreamGenerator(tasks: 5_000, seed: 9, violationRate: 0.05)), as: UTF8.self)
        for needle in [
            "\"task_id\":", "\"status\":", "\"event_id\":", "\"timestamp\":", "\"done\"", "\"in-progress\"",
            "+02:00\"", "\"SUCCEEDED\"", "\"FAILED\"", "\"CANCELLED\"", "\"TIMED_OUT\"", "\"WAITING\"", "\"RETRYING\"",
            "not json at all", "\"EXPLODED\"", "\"yesterday\"", ".5,",
        ] {
            #expect(text.contains(needle), "no \(needle)")
        }
        let lines = Self.lines(Array(text.utf8))
        #expect(Set(lines).count < lines.count, "no duplicate lines")
    }

    @Test func gzipOutputDecompressesToThePlainOutput() throws {
        let dir = try TempDirectory()
        let generator = StreamGenerator(tasks: 20_000, seed: 5)
        let plainPath = dir.path("g.jsonl")
        let gzipPath = dir.path("g.jsonl.gz")
        try generator.write(toPath: plainPath)
        try generator.write(toPath: gzipPath, gzip: true)
        let plain = try Array(Data(contentsOf: URL(fileURLWithPath: plainPath)))
        #expect(plain == (try Self.bytes(generator)))
        #expect(try runGzip(["-dc", gzipPath]) == plain)
        #expect(try readAll(path: gzipPath) == (try readAll(path: plainPath)))
    }
}
