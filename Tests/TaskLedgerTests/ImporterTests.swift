import Foundation
import GRDB
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

@Suite("Importer: streaming, resumable, one write path")
struct ImporterTests {
    static let lines = [
        #"{"task":"a","state":"QUEUED","ts":"2026-11-24T10:00:00Z","id":"1"}"#,
        #"{"task":"a","state":"RUNNING","ts":"2026-11-24T10:01:00Z","id":"2","actor":"w1"}"#,
        #"{"task":"b","state":"RUNNING","ts":"2026-11-24T10:01:30Z"}"#,
        "",
        #"{"task":"a","state":"done","ts":"2026-11-24T10:02:00Z","id":"3","extra":{"k":[1,2]}}"#,
        #"{"task":"a","state":"RUNNING","ts":"2026-11-24T10:03:00Z","id":"4"}"#,
        #"{"task":"a","state":"QUEUED","ts":"2026-11-24T10:00:00Z","id":"1"}"#,
        "not json",
        #"{"task":"c","ts":"2026-11-24T10:00:00Z"}"#,
        #"{"task":"c","state":"QUEUED","ts":"yesterday"}"#,
        #"{"task":2.5,"state":"QUEUED","ts":"2026-11-24T10:00:00Z"}"#,
        #"{"task":"c","state":"QUEUED","ts":"2026-11-24T10:05:00Z"}"#,
        #"{"task":"c","state":"RUNNING","ts":"2026-11-24T10:04:00Z"}"#,
        #"{"task":"c","state":"BOGUS","ts":"2026-11-24T10:06:00Z"}"#,
    ]

    @Test func importJudgesEveryLineAndVerifyIsClean() throws {
        let dir = try TempDirectory()
        let file = try dir.write("events.jsonl", ImporterTests.lines.joined(separator: "\n") + "\n")
        let ledger = try SQLiteLedger(path: dir.path("l.sqlite"))
        let summary = try Importer(ledger: ledger).importFile(file)
        #expect(summary.lines == 14)
        #expect(summary.blankLines == 1)
        #expect(summary.verdicts == [
            .applied: 4, .illegalTransition: 1, .afterTerminal: 1, .duplicate: 1, .malformed: 1,
            .missingField: 1, .badTimestamp: 1, .badField: 1, .outOfOrder: 1, .unknownState: 1,
        ])
        #expect(try ledger.verify().isClean)
        #expect(try ledger.snapshot(task: "a")?.state == "SUCCEEDED")
        let history = try ledger.history(task: "a")
        #expect(history.map(\.line) == [1, 2, 5, 6])
        #expect(history[2].attrs == #"{"extra":{"k":[1,2]}}"#)
    }

    @Test func importEqualsLiveWritesOfTheSameLines() throws {
        let dir = try TempDirectory()
        let file = try dir.write("events.jsonl", ImporterTests.lines.joined(separator: "\n") + "\n")
        let imported = try SQLiteLedger(path: dir.path("imported.sqlite"))
        _ = try Importer(ledger: imported).importFile(file)
        let live = try SQLiteLedger(path: dir.path("live.sqlite"))
        let decoder = EventDecoder()
        for line in ImporterTests.lines where !line.isEmpty {
            var bytes = Array(line.utf8)
            if case .success(let event) = bytes.withUnsafeMutableBytes({ decoder.decode(UnsafeRawBufferPointer($0)) }) {
                try live.write(event)
            }
        }
        let columns = "seq, task, state, verdict, from_state, ts, event_id, content_key, actor, source, stage, detail, attrs"
        let a = try LedgerContent(path: dir.path("imported.sqlite"), eventColumns: columns)
        let b = try LedgerContent(path: dir.path("live.sqlite"), eventColumns: columns)
        #expect(a.events == b.events)
        #expect(a.snapshots == b.snapshots)
    }

    @Test func reimportAddsNothingAndAGrownFileAddsOnlyItsNewLines() throws {
        let dir = try TempDirectory()
        let file = try dir.write("events.jsonl", ImporterTests.lines[0...2].joined(separator: "\n") + "\n")
        let ledger = try SQLiteLedger(path: dir.path("l.sqlite"))
        let importer = Importer(ledger: ledger)
        #expect(try importer.importFile(file).lines == 3)
        let again = try importer.importFile(file)
        #expect(again.lines == 0)
        #expect(again.resumedLines == 3)
        try dir.append("events.jsonl", ImporterTests.lines[4...5].joined(separator: "\n") + "\n")
        let grown = try importer.importFile(file)
        #expect(grown.lines == 2)
        #expect(try ledger.history(task: "a").map(\.line) == [1, 2, 4, 5])
        #expect(try LedgerContent(path: dir.path("l.sqlite")).rejects.isEmpty)
    }

    @Test func aFinalLineStillBeingWrittenIsLeftForTheNextImport() throws {
        let dir = try TempDirectory()
        let file = try dir.write("events.jsonl", ImporterTests.lines[0] + "\n" + #"{"task":"a","state":"RUN"#)
        let ledger = try SQLiteLedger(path: dir.path("l.sqlite"))
        let importer = Importer(ledger: ledger)
        let first = try importer.importFile(file)
        #expect(first.pendingLines == 1)
        #expect(first.rejects == 0)
        try dir.append("events.jsonl", #"NING","ts":"2026-11-24T10:01:00Z"}"# + "\n")
        let second = try importer.importFile(file)
        #expect(second.pendingLines == 0)
        #expect(second.verdicts == [.applied: 1])
        #expect(try ledger.snapshot(task: "a")?.state == "RUNNING")
    }

    @Test func aFinalLineWithoutNewlineThatParsesIsImported() throws {
        let dir = try TempDirectory()
        let file = try dir.write("events.jsonl", ImporterTests.lines[0] + "\r\n" + ImporterTests.lines[1])
        let ledger = try SQLiteLedger(path: dir.path("l.sqlite"))
        #expect(try Importer(ledger: ledger).importFile(file).verdicts == [.applied: 2])
        #expect(try Importer(ledger: ledger).importFile(file).lines == 0)
    }

    @Test func aRotatedFileIsReadFromTheStartAndDedupeKeepsItHonest() throws {
        let dir = try TempDirectory()
        let file = try dir.write("events.jsonl", ImporterTests.lines[0...2].joined(separator: "\n") + "\n")
        let ledger = try SQLiteLedger(path: dir.path("l.sqlite"))
        _ = try Importer(ledger: ledger).importFile(file)
        // Same name, new content whose head differs: read from line 1.
        try dir.write("events.jsonl", ImporterTests.lines[4] + "\n" + ImporterTests.lines[0] + "\n")
        let rotated = try Importer(ledger: ledger).importFile(file)
        #expect(rotated.resumedLines == 0)
        #expect(rotated.verdicts == [.applied: 1, .duplicate: 1])
    }

    @Test func gzipFromTheGzipCommandImportsLikeThePlainFile() throws {
        let dir = try TempDirectory()
        let text = ImporterTests.lines.joined(separator: "\n") + "\n"
        let plain = try dir.write("events.jsonl", text)
        let gz = dir.path("events.jsonl.gz")
        try Data(runGzip(["-c"], input: Array(text.utf8))).write(to: URL(fileURLWithPath: gz))
        let a = try Importer(ledger: try SQLiteLedger(path: dir.path("a.sqlite"))).importFile(plain)
        let b = try Importer(ledger: try SQLiteLedger(path: dir.path("b.sqlite"))).importFile(gz)
        #expect(a.verdicts == b.verdicts)
        #expect(a.lines == b.lines)
        let columns = "seq, task, state, verdict, from_state, ts, event_id, content_key, actor, source, stage, detail, attrs, line"
        #expect(try LedgerContent(path: dir.path("a.sqlite"), eventColumns: columns).events
            == LedgerContent(path: dir.path("b.sqlite"), eventColumns: columns).events)
    }

    @Test func smallBatchesGiveTheSameLedgerAsOneBatch() throws {
        let dir = try TempDirectory()
        let file = try dir.write("events.jsonl", ImporterTests.lines.joined(separator: "\n") + "\n")
        _ = try Importer(ledger: try SQLiteLedger(path: dir.path("one.sqlite"))).importFile(file)
        _ = try Importer(ledger: try SQLiteLedger(path: dir.path("many.sqlite")), batchSize: 2).importFile(file)
        var one = try LedgerContent(path: dir.path("one.sqlite"))
        var many = try LedgerContent(path: dir.path("many.sqlite"))
        #expect(one.events == many.events)
        #expect(one.snapshots == many.snapshots)
        #expect(one.rejects == many.rejects)
        one.checkpoints = []
        many.checkpoints = []
        #expect(one == many)
    }

    @Test func stopRequestStopsAtABatchBoundaryAndTheRerunResumes() throws {
        let dir = try TempDirectory()
        let file = try dir.write("events.jsonl", ImporterTests.lines.joined(separator: "\n") + "\n")
        let ledger = try SQLiteLedger(path: dir.path("l.sqlite"))
        var batches = 0
        let importer = Importer(ledger: ledger, batchSize: 4)
        #expect(throws: ImportAborted.self) {
            _ = try importer.importFile(file, progress: { _ in batches += 1 }, shouldStop: { batches == 2 })
        }
        #expect(try LedgerContent(path: dir.path("l.sqlite")).checkpoints.first?[4] == "8")
        let rest = try importer.importFile(file)
        #expect(rest.resumedLines == 8)
        _ = try Importer(ledger: try SQLiteLedger(path: dir.path("clean.sqlite"))).importFile(file)
        #expect(try LedgerContent(path: dir.path("l.sqlite")).events == LedgerContent(path: dir.path("clean.sqlite")).events)
    }
}
