import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

@Suite("Concurrent processes on one ledger")
struct ConcurrencyCLITests {
    @Test func eightWriterProcessesLoseNothing() throws {
        let dir = try TempDirectory()
        let db = dir.path("ledger.sqlite")
        try #require(CLI.run(["init", "--db", db]).status == 0)
        let writers = 8, perWriter = 200
        let states = ["QUEUED", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"]
        let failures = FailureLog()
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for n in 0..<perWriter {
                let task = "w\(w)-t\(n / states.count)"
                let ts = 1_795_514_400 + n
                do {
                    let r = try CLI.run(["write", "--db", db, "--task", task, "--state", states[n % states.count],
                                         "--ts", String(ts), "--actor", "writer-\(w)"])
                    if r.status != 0 || r.stdout != "applied\n" || !r.stderr.isEmpty {
                        failures.add("\(task) #\(n): exit \(r.status) out \(r.stdout) err \(r.stderr)")
                    }
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        #expect(failures.entries.isEmpty, "\(failures.entries.prefix(5))")
        let queue = try DatabaseQueue(path: db)
        let (rows, applied, snapshots) = try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM task_events")!,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM task_events WHERE verdict = 'applied'")!,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM task_state_snapshot WHERE state = 'SUCCEEDED'")!)
        }
        #expect(rows == writers * perWriter)
        #expect(applied == writers * perWriter)
        #expect(snapshots == writers * perWriter / states.count)
        let verify = try CLI.run(["verify", "--db", db])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test func sixteenRacingDeliveriesWithOneKeyDeliverOnce() throws {
        let dir = try TempDirectory()
        let db = dir.path("ledger.sqlite")
        try #require(CLI.run(["write", "--db", db, "--task", "t1", "--state", "QUEUED"]).status == 0)
        let racers = (0..<16).map { _ in try! CLI.start(["deliver", "--db", db, "--task", "t1", "--channel", "slack"]) }
        var outputs: [String] = []
        for (process, out, err) in racers {
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(errors.isEmpty, "\(errors)")
            #expect(process.terminationStatus == (text == "deliver\n" ? 0 : 1))
            outputs.append(text)
        }
        #expect(outputs.filter { $0 == "deliver\n" }.count == 1)
        #expect(outputs.filter { $0 == "suppressed duplicate\n" }.count == 15)
    }

    @Test func cooldownSuppressesAnotherKeyForTheSameTaskAndChannel() throws {
        let dir = try TempDirectory()
        let db = dir.path("ledger.sqlite")
        try #require(CLI.run(["write", "--db", db, "--task", "t1", "--state", "QUEUED"]).status == 0)
        #expect(try CLI.run(["deliver", "--db", db, "--task", "t1", "--channel", "mail", "--cooldown", "1h"]).stdout == "deliver\n")
        try #require(CLI.run(["write", "--db", db, "--task", "t1", "--state", "RUNNING"]).status == 0)
        let second = try CLI.run(["deliver", "--db", db, "--task", "t1", "--channel", "mail", "--cooldown", "1h"])
        #expect(second.stdout == "suppressed cooldown\n")
        #expect(second.status == 1)
        // Another channel has its own cooldown.
        #expect(try CLI.run(["deliver", "--db", db, "--task", "t1", "--channel", "slack", "--cooldown", "1h"]).stdout == "deliver\n")
    }
}

@Suite("Importers, writers and reporters on one ledger at once")
struct MixedLoadCLITests {
    @Test func eightImportersFourWritersFourReportersLoseNothingAndNeverSayLocked() throws {
        let dir = try TempDirectory()
        let db = dir.path("ledger.sqlite")
        try #require(CLI.run(["init", "--db", db]).status == 0)
        var paths: [String] = []
        var judgedLines = 0
        for seed in 1...8 {
            let path = dir.path("s\(seed).jsonl")
            try #require(CLI.run(["generate", "--tasks", "300", "--seed", String(seed), "--output", path]).status == 0)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            judgedLines += text.split(separator: "\n", omittingEmptySubsequences: false).filter {
                !$0.allSatisfy { $0 == " " || $0 == "\t" }
            }.count
            paths.append(path)
        }
        let files = paths
        let reportRoot = dir.url.path
        let writes = 4 * 40
        let failures = FailureLog()
        @Sendable func check(_ what: String, _ r: CLI.Result, allowed: Set<Int32>) {
            if !allowed.contains(r.status) || r.stderr.contains("locked") || r.stderr.contains("Fatal error") {
                failures.add("\(what): exit \(r.status): \(r.stderr)")
            }
        }
        DispatchQueue.concurrentPerform(iterations: 16) { worker in
            do {
                switch worker {
                case 0..<8:
                    check("import \(worker)", try CLI.run(["import", "--db", db, "--quiet", "--batch-size", "200", files[worker]]), allowed: [0])
                case 8..<12:
                    for n in 0..<40 {
                        let state = ["QUEUED", "RUNNING", "SUCCEEDED", "RUNNING"][n % 4]
                        check("write", try CLI.run(["write", "--db", db, "--task", "live-\(worker)-\(n / 4)", "--state", state,
                                                    "--ts", String(1_795_514_400 + n)]), allowed: [0, 1])
                    }
                default:
                    for n in 0..<3 {
                        check("report", try CLI.run(["report", "--db", db, "--out", reportRoot + "/r\(worker)-\(n)", "--now", "latest"]), allowed: [0])
                    }
                }
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.entries.isEmpty, "\(failures.entries.prefix(3))")
        let stored = try DatabaseQueue(path: db).read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM task_events) + (SELECT count(*) FROM import_rejects)")!
        }
        #expect(stored == judgedLines + writes, "every judged line and every write is stored exactly once")
        let verify = try CLI.run(["verify", "--db", db])
        #expect(verify.status == 0, "\(verify.stdout)")
    }
}

/// Failures collected from concurrent workers.
final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ entry: String) { lock.withLock { list.append(entry) } }
    var entries: [String] { lock.withLock { list } }
}
