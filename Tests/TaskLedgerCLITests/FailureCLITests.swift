import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

@Suite("Failures: signals, full disk, corrupt ledgers")
struct FailureCLITests {
    func count(_ db: String, _ sql: String = "SELECT count(*) FROM task_events") throws -> Int {
        try DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: sql)! }
    }

    func generate(_ dir: TempDirectory, tasks: Int) throws -> String {
        let gz = dir.path("stream.jsonl.gz")
        let r = try CLI.run(["generate", "--tasks", String(tasks), "--seed", "3", "--gzip", "--output", gz])
        try #require(r.status == 0, "\(r.stderr)")
        return gz
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalStopsTheImportAtABatchBoundaryAndTheRerunResumes(_ signal: Int32) throws {
        let dir = try TempDirectory()
        let gz = try generate(dir, tasks: 4000)
        let db = dir.path("l.sqlite")
        let (process, out, err) = try CLI.start(["import", "--db", db, "--batch-size", "500", gz])
        // Wait until some batches are committed, then ask it to stop.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            usleep(50_000)
            if FileManager.default.fileExists(atPath: db), (try? count(db)) ?? 0 > 0 { break }
        }
        kill(process.processIdentifier, signal)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let committed = try count(db)
        let checkpointLines = try count(db, "SELECT coalesce(max(lines), 0) FROM import_files")
        if process.terminationStatus == 0 {
            // It finished before the signal arrived: nothing to resume, and that is fine too.
            #expect(checkpointLines > 0)
            return
        }
        #expect(process.terminationStatus == 3)
        #expect(stderr.contains("interrupted after line \(checkpointLines)"), "\(stderr)")
        #expect(stdout.hasPrefix("lines "), "the summary line says how far it got")
        #expect(checkpointLines % 500 == 0, "stopped at a batch boundary")
        #expect(committed > 0)
        let rerun = try CLI.run(["import", "--db", db, "--quiet", gz])
        #expect(rerun.status == 0)
        #expect(rerun.stdout.contains("resumed after \(checkpointLines)"))
        let clean = dir.path("clean.sqlite")
        #expect(try CLI.run(["import", "--db", clean, "--quiet", gz]).status == 0)
        #expect(try count(db) == count(clean))
        #expect(try count(db, "SELECT count(*) FROM import_rejects") == count(clean, "SELECT count(*) FROM import_rejects"))
    }

    @Test func aFullDiskIsAnErrorThatKeepsWhatWasCommittedAndResumes() throws {
        let dir = try TempDirectory()
        let gz = try generate(dir, tasks: 3000)
        let db = dir.path("l.sqlite")
        // ulimit -f in 512-byte blocks: the ledger may not grow past 2 MB, far less than the import needs.
        let limited = try CLI.run(["-c", "ulimit -f 4096; exec \"$0\" import --db \"$1\" --quiet --batch-size 1000 \"$2\"",
                                   CLI.binary.path, db, gz], shell: true)
        #expect(limited.status == 3, "\(limited.stderr)")
        #expect(limited.stderr.contains("l.sqlite: I/O error"), "\(limited.stderr)")
        #expect(limited.stderr.contains("is the disk full?"))
        #expect(limited.stderr.split(separator: "\n").count == 1)
        #expect(!limited.stderr.contains("Fatal error"))
        let committed = try count(db)
        let checkpointLines = try count(db, "SELECT coalesce(max(lines), 0) FROM import_files")
        #expect(checkpointLines % 1000 == 0)
        #expect(try count(db, "SELECT coalesce(max(line), 0) FROM task_events") <= checkpointLines)
        #expect(committed > 0 || checkpointLines == 0)
        // Space again: the same command completes to the ledger of one clean import.
        #expect(try CLI.run(["import", "--db", db, "--quiet", "--batch-size", "1000", gz]).status == 0)
        let clean = dir.path("clean.sqlite")
        #expect(try CLI.run(["import", "--db", clean, "--quiet", gz]).status == 0)
        #expect(try count(db) == count(clean))
        #expect(try CLI.run(["verify", "--db", db]).status == 0)
    }

    @Test func aCorruptLedgerIsAClearErrorNotACrash() throws {
        let dir = try TempDirectory()
        let gz = try generate(dir, tasks: 500)
        let db = dir.path("l.sqlite")
        #expect(try CLI.run(["import", "--db", db, "--quiet", gz]).status == 0)
        // Overwrite pages in the middle of task_events with garbage (the middle of the file is
        // the stored dedupe filter's words, which no report reads).
        let (page, pageSize) = try DatabaseQueue(path: db).read { db in
            (try Int.fetchOne(db, sql: """
                SELECT pageno FROM dbstat WHERE name = 'task_events' AND pagetype = 'leaf' ORDER BY pageno
                LIMIT 1 OFFSET (SELECT count(*) / 2 FROM dbstat WHERE name = 'task_events' AND pagetype = 'leaf')
                """) ?? 0,
             try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
        }
        #expect(page > 1 && pageSize == 8192)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: db))
        try handle.seek(toOffset: UInt64((page - 1) * pageSize))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 64 * 1024))
        try handle.close()
        // verify and report read every page: they must name the damage.
        for arguments in [["verify", "--db", db], ["report", "--db", db, "--out", dir.path("r")]] {
            let r = try CLI.run(arguments)
            #expect(r.status == 3, "\(arguments[0]): \(r.stderr)")
            #expect(r.stderr == "task-ledger: error: \(db): the ledger file is corrupt (SQLite says: database disk image is malformed)\n")
        }
        // A re-import of the finished file reads only its checkpoint: SQLite may not touch the
        // damaged pages, so it may succeed adding nothing; it must not crash either way.
        let again = try CLI.run(["import", "--db", db, "--quiet", gz])
        #expect(again.status == 0 || again.stderr.contains("corrupt"), "\(again.stderr)")
        #expect(!again.stderr.contains("Fatal error"))
    }
}
