import Foundation
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerReport
@testable import TaskLedgerSQLite
@testable import TaskLedgerTestData

/// The report as the CLI writes it (``Ledger/writeReport(_:to:)``: outcomes.csv written as
/// its rows are read, every other file from the outcomes' tally) against the report the
/// library builds in memory (``Ledger/report(_:)`` then ``Report/write(to:)``): the same bytes.
@Suite struct ReportStreamingTests {
    // MARK: EventCountMerge

    /// A `(task, count)` stream in bytewise order, as `GROUP BY task ORDER BY task` hands it.
    static func merge(_ rows: [(String, Int)]) -> EventCountMerge {
        var index = 0
        return EventCountMerge(location: "test.ledger") {
            guard index < rows.count else { return nil }
            index += 1
            return (rows[index - 1].0, rows[index - 1].1)
        }
    }

    @Test func mergeGivesEachOutcomeItsTasksCountAndSumsEveryRow() throws {
        // Bytewise: uppercase before lowercase, "é" (0xC3 0xA9) after "z", "a" before "ab".
        var merge = Self.merge([("A", 2), ("B", 1), ("a", 3), ("ab", 7), ("z", 5), ("é", 4)])
        #expect(try merge.count(of: "B") == 1)
        #expect(try merge.count(of: "a") == 3)
        #expect(try merge.count(of: "aa") == 0, "a task without events in the window counts 0")
        #expect(try merge.count(of: "z") == 5)
        #expect(merge.events == 18 && merge.tasks == 5, "rows read so far, up to z")
        try merge.finish()
        #expect(merge.events == 22 && merge.tasks == 6, "finish reads the rows after the last outcome")
    }

    @Test func mergeOfNoOutcomesStillCountsEveryRow() throws {
        var merge = Self.merge([("x", 2), ("y", 3)])
        try merge.finish()
        #expect(merge.events == 5 && merge.tasks == 2)
        var empty = Self.merge([])
        #expect(try empty.count(of: "x") == 0)
        try empty.finish()
        #expect(empty.events == 0 && empty.tasks == 0)
    }

    /// A collation that is not bytewise would pair outcomes with the wrong counts (or none):
    /// the merge refuses the stream instead of writing zeros.
    @Test func mergeRefusesRowsOutOfBytewiseOrder() throws {
        for rows in [[("b", 1), ("a", 1)], [("a", 1), ("a", 2)], [("z", 1), ("é", 1), ("f", 1)]] {
            var merge = Self.merge(rows)
            #expect(throws: LedgerError.self) {
                _ = try merge.count(of: "zz")
                try merge.finish()
            }
        }
        var merge = Self.merge([("é", 1), ("e", 1)])
        do {
            try merge.finish()
            Issue.record("no error")
        } catch let LedgerError.database(path, message) {
            #expect(path == "test.ledger")
            #expect(message == "report: task_events counts arrived out of task order (é before e)")
        }
    }

    // MARK: Streamed files

    /// A realistic night (UUID ids, interleaved tasks, a few violations) of `tasks` tasks
    /// imported, then the hostile ids written live.
    static func bigLedger(tasks: Int) throws -> (Ledger, TempDirectory) {
        let dir = try TempDirectory()
        var generator = StreamGenerator(tasks: tasks, seed: 11, violationRate: 0.02)
        generator.ids = .uuid
        generator.night = 1
        try generator.write(toPath: dir.path("night.jsonl"))
        let ledger = try Ledger(dir.path("ledger.sqlite"))
        _ = try ledger.importFile(dir.path("night.jsonl"))
        for id in hostileIDs + ["Zeta", "zeta", "éclair", "eclair", "e\u{301}clair"] {
            try ledger.write(StatusEvent(task: id, state: "QUEUED", timestamp: RealisticStreamTests.firstNight))
            try ledger.write(StatusEvent(task: id, state: "RUNNING", timestamp: RealisticStreamTests.firstNight + 1))
            try ledger.write(StatusEvent(task: id, state: "SUCCEEDED", timestamp: RealisticStreamTests.firstNight + 2))
        }
        return (ledger, dir)
    }

    /// Every file of both ways of writing, for each window and CSV flavour.
    @Test func streamedFilesAreTheBytesOfTheInMemoryReport() throws {
        let (ledger, dir) = try Self.bigLedger(tasks: 12_000)
        let night = RealisticStreamTests.firstNight
        let windows: [(Int64?, Int64?)] = [(nil, nil), (night + 3_600_000, night + 6 * 3_600_000), (nil, night + 2)]
        for (index, (since, until)) in windows.enumerated() {
            for excelSafe in [false, true] {
                let options = ReportOptions(
                    now: night + RealisticStreamTests.day, since: since, until: until, excelSafe: excelSafe,
                    formats: Set(ReportOptions.Format.allCases))
                let inMemory = try ledger.report(options)
                let a = dir.path("memory-\(index)-\(excelSafe)"), b = dir.path("streamed-\(index)-\(excelSafe)")
                try inMemory.write(to: a)
                let (streamed, files) = try ledger.writeReport(options, to: b)
                #expect(files == inMemory.fileNames.map { URL(fileURLWithPath: b).appendingPathComponent($0).path })
                #expect(streamed.outcomes.isEmpty, "the streamed report keeps no rows")
                #expect(streamed.tally == inMemory.tally)
                for name in inMemory.fileNames {
                    let left = try Data(contentsOf: URL(fileURLWithPath: a).appendingPathComponent(name))
                    let right = try Data(contentsOf: URL(fileURLWithPath: b).appendingPathComponent(name))
                    #expect(left == right, "\(name), window \(index), excelSafe \(excelSafe)")
                }
                #expect(try FileManager.default.contentsOfDirectory(atPath: b).sorted() == inMemory.fileNames.sorted(),
                        "no temporary file left")
                if index == 0 {
                    // The full report: every generated task ended or not, the hostile ones ended;
                    // outcomes.csv is bigger than the writer's buffer, so it went out in pieces.
                    let csv = try String(contentsOfFile: b + "/outcomes.csv", encoding: .utf8)
                    #expect(csv.utf8.count > ReportWriter.bufferBytes)
                    #expect(inMemory.outcomes.count > 11_000)
                    #expect(inMemory.outcomes.map(\.task) == inMemory.outcomes.map(\.task).sorted(by: Bytewise.less))
                    let eclair = try #require(inMemory.outcomes.first { $0.task.utf8.elementsEqual("e\u{301}clair".utf8) })
                    #expect(eclair.events == 3, "NFD and NFC spellings are two tasks to SQLite's GROUP BY")
                }
            }
        }
    }

    @Test func streamedReportWithoutCSVStillCountsEveryOutcome() throws {
        let (ledger, dir) = try Self.bigLedger(tasks: 2_000)
        let options = ReportOptions(now: RealisticStreamTests.firstNight + RealisticStreamTests.day, formats: [.json, .md])
        try ledger.report(options).write(to: dir.path("a"))
        let (report, files) = try ledger.writeReport(options, to: dir.path("b"))
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["summary.json", "report.md"])
        #expect(report.tally.count > 1_500)
        for name in ["summary.json", "report.md"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("a/" + name)))
                == Data(contentsOf: URL(fileURLWithPath: dir.path("b/" + name))), "\(name)")
        }
    }

    struct ReadFailed: Error {}

    /// A read that fails after some outcomes were written leaves the old report as it was
    /// (no half outcomes.csv) and no temporary file behind.
    @Test func failedReadLeavesTheOldFilesAndNoTemporaryFile() throws {
        let dir = try TempDirectory()
        let out = dir.path("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("old outcomes\n".utf8).write(to: URL(fileURLWithPath: out + "/outcomes.csv"))
        try Data("old summary\n".utf8).write(to: URL(fileURLWithPath: out + "/summary.json"))
        let options = ReportOptions(now: t0)
        #expect(throws: ReadFailed.self) {
            _ = try ReportWriter.write(options: options, ledgerPath: "x", rules: .standard, to: out) { outcome in
                for n in 0..<50_000 {  // more than one buffer's worth is written before the failure
                    try outcome(ReportRows.Outcome(
                        task: "task-\(n)", state: "SUCCEEDED", firstTimestamp: t0, terminalTimestamp: t0 + 1, actor: "",
                        source: "", stage: "", events: 2))
                }
                throw ReadFailed()
            }
        }
        #expect(try String(contentsOfFile: out + "/outcomes.csv", encoding: .utf8) == "old outcomes\n")
        #expect(try String(contentsOfFile: out + "/summary.json", encoding: .utf8) == "old summary\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["outcomes.csv", "summary.json"])
    }

    /// outcomes.csv that cannot be replaced (here a directory is in its place) fails with the
    /// path and the system's reason once the read is done, and removes the temporary file.
    @Test func outcomesThatCannotBeReplacedIsAReportErrorAndLeavesNoTemporaryFile() throws {
        let (ledger, dir) = try Self.bigLedger(tasks: 200)
        let out = dir.path("out")
        try FileManager.default.createDirectory(atPath: out + "/outcomes.csv/kept", withIntermediateDirectories: true)
        do {
            _ = try ledger.writeReport(ReportOptions(now: t0), to: out)
            Issue.record("no error")
        } catch let ReportError.cannotWrite(path, reason) {
            #expect(path == out + "/outcomes.csv")
            #expect(reason == "Is a directory" || reason == "Directory not empty", "\(reason)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["outcomes.csv"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/outcomes.csv") == ["kept"])
    }
}
