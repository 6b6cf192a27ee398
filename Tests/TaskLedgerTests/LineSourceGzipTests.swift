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

@Suite("LineSource: gzip")
struct LineSourceGzipTests {
    enum Compressor: String, CaseIterable { case gzipCommand, zlibWriter }

    static func compress(_ bytes: [UInt8], with compressor: Compressor) throws -> [UInt8] {
        switch compressor {
        case .gzipCommand: try runGzip(["-c"], input: bytes)
        case .zlibWriter: try zlibGzip(bytes)
        }
    }

    @Test(arguments: Compressor.allCases)
    func gzipReadsAsThePlainText(_ compressor: Compressor) throws {
        let dir = try TempDirectory()
        let content = sampleLines(40_000)  // several MiB: many inflate chunks
        let plain = try readAll(path: try dir.write("p.jsonl", content))
        let gz = try dir.write("p.jsonl.gz", try Self.compress(content, with: compressor))
        let source = try LineSource(path: gz)
        #expect(source.isGzip)
        let (lines, error) = readAll(source)
        #expect(error == nil)
        #expect(lines == plain)
        #expect(source.compressedBytesRead == source.fileSize)
    }

    @Test func gzipIsDetectedByMagicWhateverTheName() throws {
        let dir = try TempDirectory()
        let path = try dir.write("events.jsonl", try zlibGzip(Array("a\nb\n".utf8)))
        #expect(try readAll(path: path).map(\.text) == ["a", "b"])
    }

    @Test(arguments: Compressor.allCases)
    func emptyGzipHasNoLines(_ compressor: Compressor) throws {
        let dir = try TempDirectory()
        #expect(try readAll(path: try dir.write("e.gz", try Self.compress([], with: compressor))) == [])
    }

    @Test func concatenatedMembersAreOneStreamWithContinuingNumbers() throws {
        let dir = try TempDirectory()
        let first = Array("a\nb\n\nc\n".utf8)
        let second = Array("d\r\ne".utf8)
        let joined = try runGzip(["-c"], input: first) + zlibGzip([]) + zlibGzip(second)
        let lines = try readAll(path: try dir.write("multi.gz", joined))
        #expect(lines == [
            ReadLine(1, "a", 2), ReadLine(2, "b", 4), ReadLine(3, "", 5), ReadLine(4, "c", 7),
            ReadLine(5, "d", 10), ReadLine(6, "e", 11, newline: false),
        ])
    }

    @Test func lineSplitAcrossMembersIsOneLine() throws {
        let dir = try TempDirectory()
        let joined = try zlibGzip(Array("ab".utf8)) + zlibGzip(Array("cd\n".utf8))
        #expect(try readAll(path: try dir.write("split.gz", joined)).map(\.text) == ["abcd"])
    }

    /// Bytes kept: a count from the start, or (negative) dropped from the end; 0 keeps half.
    static let truncationPoints = [1, 2, 10, 100, 5_000, 0, -9, -8, -1]

    @Test(arguments: truncationPoints)
    func truncatedGzipDeliversEveryCompleteLineThenNamesFileAndLine(_ cut: Int) throws {
        let dir = try TempDirectory()
        let content = sampleLines(3_000)
        let full = try readAll(path: try dir.write("full.jsonl", content))
        let gz = try zlibGzip(content)
        let keep = cut > 0 ? cut : cut < 0 ? gz.count + cut : gz.count / 2
        let path = try dir.write("cut.jsonl.gz", Array(gz.prefix(keep)))
        let (lines, error) = readAll(try LineSource(path: path))
        #expect(lines == Array(full.prefix(lines.count)))
        #expect(lines.allSatisfy { $0.endsWithNewline })
        #expect(error == .gzipTruncated(file: path, line: lines.count + 1))
        if cut < 0 { #expect(lines.count == full.count) }
        if cut == 0 { #expect(lines.count > 100) }
    }

    @Test func damageIsThrownAgainOnEveryLaterCall() throws {
        let dir = try TempDirectory()
        let gz = try zlibGzip(sampleLines(10))
        let source = try LineSource(path: try dir.write("cut.gz", Array(gz.dropLast(4))))
        while (try? source.next()) != nil {}
        #expect(throws: ImportError.gzipTruncated(file: source.path, line: 11)) { try source.next() }
    }

    @Test func badChecksumIsCorruptAfterEveryLine() throws {
        let dir = try TempDirectory()
        var gz = try zlibGzip(sampleLines(500))
        gz[gz.count - 8] ^= 0xFF  // the CRC-32 in the trailer
        let path = try dir.write("crc.gz", gz)
        let (lines, error) = readAll(try LineSource(path: path))
        #expect(lines.count == 500)
        #expect(error == .gzipCorrupt(file: path, line: 501, reason: "incorrect data check"))
    }

    @Test func flippedBytesInTheMiddleAreCorrupt() throws {
        let dir = try TempDirectory()
        var gz = try zlibGzip(sampleLines(5_000))
        for i in stride(from: gz.count / 2, to: gz.count / 2 + 64, by: 1) { gz[i] ^= 0x5A }
        let path = try dir.write("flip.gz", gz)
        let (lines, error) = readAll(try LineSource(path: path))
        guard case .gzipCorrupt(let file, let line, _) = error else {
            Issue.record("expected gzipCorrupt, got \(String(describing: error))")
            return
        }
        #expect(file == path && line == lines.count + 1)
    }

    @Test func gzNameWithoutGzipDataIsCorrupt() throws {
        let dir = try TempDirectory()
        let path = try dir.write("plain.jsonl.gz", "{\"task\":1}\n")
        let (lines, error) = readAll(try LineSource(path: path))
        #expect(lines.isEmpty)
        #expect(error == .gzipCorrupt(file: path, line: 1, reason: "incorrect header check"))
    }

    @Test func garbageAfterTheLastMemberIsCorrupt() throws {
        let dir = try TempDirectory()
        let path = try dir.write("tail.gz", try zlibGzip(Array("a\n".utf8)) + Array("junk".utf8))
        let (lines, error) = readAll(try LineSource(path: path))
        #expect(lines.map(\.text) == ["a"])
        #expect(error == .gzipCorrupt(file: path, line: 2, reason: "incorrect header check"))
    }
}

@Suite("LineSource: resume")
struct LineSourceResumeTests {
    @Test(arguments: ["r.jsonl", "r.jsonl.gz"], [0, 1, 777, 2_999, 3_000])
    func skipGivesExactlyTheRemainingLinesWithTheirNumbers(_ name: String, _ done: Int) throws {
        let dir = try TempDirectory()
        let content = sampleLines(3_000)
        let path = try dir.write(name, name.hasSuffix(".gz") ? try zlibGzip(content) : content)
        let full = try readAll(path: path)
        let source = try LineSource(path: path)
        let offset = done == 0 ? 0 : full[done - 1].endOffset
        #expect(try source.skip(toOffset: offset, lines: done))
        let (rest, error) = readAll(source)
        #expect(error == nil)
        #expect(rest == Array(full[done...]))
    }

    @Test(arguments: ["s.jsonl", "s.jsonl.gz"])
    func skipAfterHeadWorks(_ name: String) throws {
        let dir = try TempDirectory()
        let content = sampleLines(2_000)
        let path = try dir.write(name, name.hasSuffix(".gz") ? try zlibGzip(content) : content)
        let full = try readAll(path: path)
        for done in [3, 1_500] {
            let source = try LineSource(path: path)
            #expect(source.head() == Array(content.prefix(4096)))
            #expect(try source.skip(toOffset: full[done - 1].endOffset, lines: done))
            #expect(readAll(source).lines == Array(full[done...]))
        }
    }

    @Test(arguments: ["t.jsonl", "t.jsonl.gz"])
    func skipPastTheEndSaysItIsNotTheSameFile(_ name: String) throws {
        let dir = try TempDirectory()
        let content = sampleLines(100)
        let path = try dir.write(name, name.hasSuffix(".gz") ? try zlibGzip(content) : content)
        let source = try LineSource(path: path)
        #expect(try source.skip(toOffset: Int64(content.count + 1), lines: 101) == false)
    }
}
