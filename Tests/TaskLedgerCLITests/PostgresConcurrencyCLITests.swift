import Foundation
import Testing

@Suite("Concurrent processes on one PostgreSQL ledger", .enabled(if: PostgresTestServer.isAvailable, PostgresTestServer.skipReason))
struct PostgresConcurrencyCLITests {
    @Test func eightWritersOnOverlappingTasksNeverApplyTwoTerminalEventsAndLoseNothing() throws {
        let db = try ScratchDatabase()
        try #require(CLI.run(["init", "--db", db.url]).status == 0)
        let writers = 8, perWriter = 30
        let failures = FailureLog()
        // Every writer walks the same six tasks; odd writers end them FAILED, even ones SUCCEEDED,
        // so two different terminal events race for every task.
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            let states = ["QUEUED", "RUNNING", "RUNNING", "RUNNING", w % 2 == 0 ? "SUCCEEDED" : "FAILED"]
            for n in 0..<perWriter {
                do {
                    let r = try CLI.run(["write", "--db", db.url, "--task", "shared-\(n / states.count)",
                                         "--state", states[n % states.count], "--ts", String(1_795_514_400 + n),
                                         "--actor", "writer-\(w)"])
                    if ![0, 1].contains(r.status) || r.stderr.contains("error") {
                        failures.add("writer \(w) #\(n): exit \(r.status): \(r.stderr)")
                    }
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        #expect(failures.entries.isEmpty, "\(failures.entries.prefix(5))")
        #expect(try db.query("SELECT count(*) FROM task_events") == String(writers * perWriter))
        let doubled = try db.query("""
            SELECT task FROM task_events WHERE verdict IN ('applied', 'out_of_order')
                AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
            GROUP BY task HAVING count(*) > 1
            """)
        #expect(doubled.isEmpty, "tasks with two applied terminal events: \(doubled)")
        #expect(try db.query("SELECT count(*) FROM task_state_snapshot WHERE terminal_ts IS NOT NULL") == "6")
        let verify = try CLI.run(["verify", "--db", db.url])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test func sixteenRacingDeliveriesWithOneKeyDeliverOnce() throws {
        let db = try ScratchDatabase()
        try #require(CLI.run(["write", "--db", db.url, "--task", "t1", "--state", "QUEUED"]).status == 0)
        let racers = try (0..<16).map { _ in try CLI.start(["deliver", "--db", db.url, "--task", "t1", "--channel", "slack"]) }
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
        #expect(try db.query("SELECT count(*) FROM delivery_log") == "1")
    }

    @Test func cooldownSuppressesAnotherKeyForTheSameTaskAndChannel() throws {
        let db = try ScratchDatabase()
        try #require(CLI.run(["write", "--db", db.url, "--task", "t1", "--state", "QUEUED"]).status == 0)
        #expect(try CLI.run(["deliver", "--db", db.url, "--task", "t1", "--channel", "mail", "--cooldown", "1h"]).stdout == "deliver\n")
        try #require(CLI.run(["write", "--db", db.url, "--task", "t1", "--state", "RUNNING"]).status == 0)
        let second = try CLI.run(["deliver", "--db", db.url, "--task", "t1", "--channel", "mail", "--cooldown", "1h"])
        #expect(second.stdout == "suppressed cooldown\n")
        #expect(second.status == 1)
    }
}
