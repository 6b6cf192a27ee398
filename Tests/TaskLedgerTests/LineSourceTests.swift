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

@Suite("LineSource: lines")
struct LineSourceLineTests {
    @Test func linesAreNumberedWithBlankOnesCountedAndOffsetsAfterTheirNewline() throws {
        let dir = try TempDirectory()
        let path = try dir.write("a.jsonl", "a\nbb\n\n \t\nccc")
        let lines = try readAll(path: path)
        #expect(lines == [
            ReadLine(1, "a", 2), ReadLine(2, "bb", 5), ReadLine(3, "", 6), ReadLine(4, " \t", 9),
            ReadLine(5, "ccc", 12, newline: false),
        ])
    }

    @Test func blankMeansEmptyOrOnlySpacesAndTabs() throws {
        let dir = try TempDirectory()
        let source = try LineSource(path: try dir.write("b.jsonl", "\n \t \n x\n\r\n"))
        var blanks: [Bool] = []
        while let line = try source.next() { blanks.append(line.isBlank) }
        #expect(blanks == [true, true, false, true])
    }

    @Test func oneTrailingCarriageReturnIsStripped() throws {
        let dir = try TempDirectory()
        let lines = try readAll(path: try dir.write("crlf.jsonl", "x\r\ny\r\r\nz\r"))
        #expect(lines.map(\.text) == ["x", "y\r", "z"])
        #expect(lines.map(\.endOffset) == [3, 7, 9])
    }

    @Test func emptyFileHasNoLines() throws {
        let dir = try TempDirectory()
        #expect(try readAll(path: try dir.write("empty.jsonl", "")) == [])
    }

    @Test func lineLongerThanTheLimitIsFlaggedAndSkippedWithItsFirstBytesKept() throws {
        let dir = try TempDirectory()
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 3 << 20)
        let path = try dir.write("long.jsonl", Array("a\n".utf8) + long + Array("\nb\n".utf8) + long)
        let source = try LineSource(path: path)
        var seen: [(Int, Int, Bool, Int64, Bool)] = []
        while let line = try source.next() {
            seen.append((line.number, line.bytes.count, line.isTooLong, line.length, line.endsWithNewline))
        }
        #expect(seen.map(\.0) == [1, 2, 3, 4])
        #expect(seen.map(\.1) == [1, LineSource.keptBytes, 1, LineSource.keptBytes])
        #expect(seen.map(\.2) == [false, true, false, true])
        #expect(seen[1].3 == 3 << 20 && seen[3].3 == 3 << 20)
        #expect(seen.map(\.4) == [true, true, true, false])
    }

    @Test func tooLongLineOnGzipKeepsNumberingAndOffsets() throws {
        let dir = try TempDirectory()
        let long = [UInt8](repeating: UInt8(ascii: "y"), count: 3 << 20)
        let plain = Array("a\n".utf8) + long + Array("\nb\n".utf8)
        let lines = try readAll(path: try dir.write("long.gz", try zlibGzip(plain)))
        #expect(lines.map(\.number) == [1, 2, 3])
        #expect(lines.map(\.isTooLong) == [false, true, false])
        let longEnd: Int64 = 2 + (3 << 20) + 1
        #expect(lines.map(\.endOffset) == [2, longEnd, Int64(plain.count)])
        #expect(lines[1].text == String(repeating: "y", count: LineSource.keptBytes))
    }

    @Test func headIsTheFirstBytesAndReadingAfterItStartsAtTheTop() throws {
        let dir = try TempDirectory()
        let content = sampleLines(200)
        for (name, bytes) in [("h.jsonl", content), ("h.jsonl.gz", try zlibGzip(content))] {
            let source = try LineSource(path: try dir.write(name, bytes))
            #expect(source.head() == Array(content.prefix(4096)))
            #expect(source.head(maxBytes: 10) == Array(content.prefix(10)))
            let (lines, error) = readAll(source)
            #expect(error == nil)
            #expect(lines.count == 200 && lines.first?.number == 1)
        }
        let small = try LineSource(path: try dir.write("small.jsonl", "tiny\n"))
        #expect(small.head() == Array("tiny\n".utf8))
    }

    @Test func fifoIsReadAsAStream() throws {
        let dir = try TempDirectory()
        let path = dir.path("pipe")
        #expect(mkfifo(path, 0o600) == 0)
        let content = sampleLines(20_000)
        let writer = Thread {
            let handle = FileHandle(forWritingAtPath: path)!
            handle.write(Data(content))
            try? handle.close()
        }
        writer.start()
        let source = try LineSource(path: path)
        #expect(source.fileSize == nil)
        let (lines, error) = readAll(source)
        #expect(error == nil)
        #expect(lines.count == 20_000 && lines.last?.endOffset == Int64(content.count))
    }
}

@Suite("LineSource: errors")
struct LineSourceErrorTests {
    @Test func missingFileCannotBeOpened() throws {
        let dir = try TempDirectory()
        let path = dir.path("nope.jsonl")
        #expect(throws: ImportError.cannotOpen(file: path, reason: "No such file or directory")) {
            try LineSource(path: path)
        }
    }

    @Test func directoryIsRefused() throws {
        let dir = try TempDirectory()
        #expect(throws: ImportError.isDirectory(file: dir.url.path)) { try LineSource(path: dir.url.path) }
    }

    @Test func messageNamesFileLineAndLinesBefore() {
        let error = ImportError.gzipTruncated(file: "events.jsonl.gz", line: 1042)
        #expect(error.description.hasPrefix("events.jsonl.gz:1042: gzip stream truncated — the 1041 lines before it were read"))
    }
}
