import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

@Suite("import: real files, real processes")
struct ImportCLITests {
    static let text = """
        {"task":"a","state":"QUEUED","ts":"2026-11-24T10:00:00Z","id":"1"}
        {"task":"a","state":"RUNNING","ts":"2026-11-24T10:01:00Z","id":"2"}
        {"task":"a","state":"SUCCEEDED","ts":"2026-11-24T10:02:00Z","id":"3"}

        """

    func rows(_ db: String, _ sql: String) throws -> Int {
        try DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: sql)! }
    }

    @Test func stdinIsImportedWithoutACheckpoint() throws {
        let dir = try TempDirectory()
        let db = dir.path("l.sqlite")
        let r = try CLI.run(["import", "--db", db, "-"], stdin: Data(ImportCLITests.text.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("lines 3 · applied 3 · violations: none · rejects 0 · "))
        #expect(try rows(db, "SELECT count(*) FROM import_files") == 0)
        // The same stream again: every line is a duplicate, nothing is appended.
        let again = try CLI.run(["import", "--db", db, "-"], stdin: Data(ImportCLITests.text.utf8))
        #expect(again.stdout.contains("duplicate 3"))
        #expect(try rows(db, "SELECT count(*) FROM task_events") == 3)
    }

    @Test func aMissingFileIsAnErrorButTheOtherFilesAreImported() throws {
        let dir = try TempDirectory()
        let db = dir.path("l.sqlite")
        let file = dir.path("events.jsonl")
        try Data(ImportCLITests.text.utf8).write(to: URL(fileURLWithPath: file))
        let r = try CLI.run(["import", "--db", db, dir.path("missing.jsonl"), file])
        #expect(r.status == 3)
        #expect(r.stderr.contains("missing.jsonl"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try rows(db, "SELECT count(*) FROM task_events") == 3)
    }

    @Test(arguments: [0.3, 0.5, 0.8])
    func aTruncatedGzipKeepsEveryCompleteLineAndExits3(_ fraction: Double) throws {
        let dir = try TempDirectory()
        let db = dir.path("l.sqlite")
        var text = ""
        for i in 0..<2000 {
            text += #"{"task":"t\#(i)","state":"QUEUED","ts":"2026-11-24T10:00:00Z","id":"e\#(i)","detail":"\#(String(repeating: "x", count: i % 50))"}"# + "\n"
        }
        let gz = try runGzipCommand(Data(text.utf8))
        let cut = gz.prefix(Int(Double(gz.count) * fraction))
        let file = dir.path("cut.jsonl.gz")
        try cut.write(to: URL(fileURLWithPath: file))
        let r = try CLI.run(["import", "--db", db, file])
        #expect(r.status == 3)
        #expect(r.stderr.contains("cut.jsonl.gz:"))
        #expect(r.stderr.contains("truncated"))
        let imported = try rows(db, "SELECT count(*) FROM task_events")
        #expect(imported > 0 && imported < 2000)
        // Exactly the lines before the damage, in order, nothing partial.
        #expect(try rows(db, "SELECT max(line) FROM task_events") == imported)
        #expect(try rows(db, "SELECT count(*) FROM import_rejects") == 0)
    }

    @Test func theReadmeCommandImportsTheFixturesAndIsIdempotent() throws {
        let dir = try TempDirectory()
        let db = dir.path("demo.sqlite")
        // The README's command, word for word.
        let args = ["import", "--db", db, "--now", "latest", "--report-dir", dir.path("reports"),
                    "--format", "all", "fixtures/events.jsonl", "fixtures/nightly.jsonl.gz"]
        let first = try CLI.run(args, directory: CLI.root)
        #expect(first.status == 0, "\(first.stderr)")
        let events = try rows(db, "SELECT count(*) FROM task_events")
        let second = try CLI.run(args, directory: CLI.root)
        #expect(second.status == 0)
        #expect(second.stdout.hasPrefix("lines 0 · resumed after 53 · applied 0 · violations: none"))
        #expect(try rows(db, "SELECT count(*) FROM task_events") == events)
        for name in ["outcomes.csv", "violations.csv", "stale.csv", "summary.json", "report.md", "junit.xml", "report.html"] {
            let committed = try Data(contentsOf: CLI.root.appendingPathComponent("reports/\(name)"))
            let fresh = try String(decoding: Data(contentsOf: dir.url.appendingPathComponent("reports/\(name)")), as: UTF8.self)
            // summary.json, report.md, junit.xml and report.html name the ledger path, which differs here.
            let expected = String(decoding: committed, as: UTF8.self).replacingOccurrences(of: "demo.sqlite", with: db)
            #expect(fresh == expected, "reports/\(name) is stale: regenerate it with the README's first command")
        }
    }

    @Test func killedImportsResumeToTheLedgerOfOneCleanImport() throws {
        let dir = try TempDirectory()
        let gz = dir.path("stream.jsonl.gz")
        let generated = try CLI.run(["generate", "--tasks", "3000", "--seed", "7", "--gzip", "--output", gz])
        try #require(generated.status == 0, "\(generated.stderr)")
        let clean = dir.path("clean.sqlite")
        #expect(try CLI.run(["import", "--db", clean, "--quiet", "--batch-size", "500", gz]).status == 0)
        let crashed = dir.path("crashed.sqlite")
        var generator = SystemRandomNumberGenerator()
        for kill in 0..<5 {
            let (process, _, err) = try CLI.start(["import", "--db", crashed, "--quiet", "--batch-size", "500", gz])
            usleep(UInt32.random(in: 20_000...400_000, using: &generator))
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // An import that ended before its kill must have ended well.
            if process.terminationReason == .exit {
                let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                #expect(process.terminationStatus == 0, "import \(kill) ended by itself: \(stderr)")
            }
        }
        let resumed = try CLI.run(["import", "--db", crashed, "--quiet", "--batch-size", "500", gz])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let compare = """
            SELECT count(*) FROM (SELECT seq, task, state, verdict, from_state, ts, event_id, actor, source, stage, detail, attrs, line FROM task_events
            EXCEPT SELECT seq, task, state, verdict, from_state, ts, event_id, actor, source, stage, detail, attrs, line FROM clean.task_events)
            """
        let queue = try DatabaseQueue(path: crashed)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "ATTACH DATABASE ? AS clean", arguments: [clean]) }
        let counts: [Int] = try queue.read { db in
            try [
                "SELECT count(*) FROM task_events", "SELECT count(*) FROM clean.task_events", compare,
                "SELECT count(*) FROM (SELECT * FROM task_state_snapshot EXCEPT SELECT * FROM clean.task_state_snapshot)",
                "SELECT count(*) FROM import_rejects", "SELECT count(*) FROM clean.import_rejects",
                "SELECT count(*) FROM (SELECT file, line, kind, task, message, raw FROM import_rejects EXCEPT SELECT file, line, kind, task, message, raw FROM clean.import_rejects)",
            ].map { try Int.fetchOne(db, sql: $0)! }
        }
        #expect(counts[0] == counts[1])
        #expect(counts[2] == 0)
        #expect(counts[3] == 0)
        #expect(counts[4] == counts[5])
        #expect(counts[6] == 0)
    }

    func runGzipCommand(_ input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec gzip -c"]
        let out = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardInput = inPipe
        try process.run()
        DispatchQueue.global().async {
            inPipe.fileHandleForWriting.write(input)
            try? inPipe.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
}
