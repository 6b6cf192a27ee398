import Foundation
import GRDB
import Testing

@Suite("Concurrent processes on one ledger")
struct ConcurrencyCLITests {
    @Test func eightWriterProcessesLoseNothing() throws {
        let dir = try TempDir()
        let db = dir.path("ledger.sqlite")
        try #require(CLI.run(["init", "--db", db]).status == 0)
        let writers = 8, perWriter = 200
        let states = ["QUEUED", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"]
        nonisolated(unsafe) var failures: [String] = []
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for n in 0..<perWriter {
                let task = "w\(w)-t\(n / states.count)"
                let ts = 1_795_514_400 + n
                do {
                    let r = try CLI.run(["write", "--db", db, "--task", task, "--state", states[n % states.count],
                                         "--ts", String(ts), "--actor", "writer-\(w)"])
                    if r.status != 0 || r.stdout != "applied\n" || !r.stderr.isEmpty {
                        lock.withLock { failures.append("\(task) #\(n): exit \(r.status) out \(r.stdout) err \(r.stderr)") }
                    }
                } catch {
                    lock.withLock { failures.append("\(error)") }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
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
        let dir = try TempDir()
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
        let dir = try TempDir()
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
