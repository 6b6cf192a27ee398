import GRDB
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

/// SPEC §5 `history`, `status`, `stale`, `deliver` and `verify`, over a real ledger file.
struct LedgerQueryTests {
    @Test func historyListsEveryStoredEventOfTheTaskInArrivalOrder() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(5)))
        try f.ledger.write(event("other", "RECEIVED", at(0)))
        try f.ledger.write(event("t", "SUCCEEDED", at(1)))
        try f.ledger.write(event("t", "RECEIVED", at(5)))  // duplicate: not in history
        try f.ledger.write(event("t", "RUNNING", at(3)))
        let history = try f.ledger.history(task: "t")
        #expect(history.map(\.verdict) == [.applied, .illegalTransition, .outOfOrder])
        #expect(history.map(\.timestamp) == [at(5), at(1), at(3)])
        #expect(history.map(\.seq) == history.map(\.seq).sorted())
        #expect(try f.ledger.eventCount(task: "t") == 3)
        #expect(try f.ledger.history(task: "nobody").isEmpty)
    }

    @Test func taskWithoutAnAppliedEventHasNoSnapshot() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RUNNING", at(0)))
        #expect(try f.ledger.snapshot(task: "t") == nil)
        #expect(try f.ledger.snapshot(task: "nobody") == nil)
    }

    @Test func latestTimestampCountsRefusedEvents() throws {
        let f = try LedgerFixture()
        #expect(try f.ledger.latestTimestamp() == nil)
        try f.ledger.write(event("t", "RECEIVED", at(0)))
        try f.ledger.write(event("t", "bogus", at(50)))
        #expect(try f.ledger.latestTimestamp() == at(50))
    }

    // MARK: stale

    static let staleRules = try! Rules(yaml: """
        states: [RECEIVED, QUEUED, RUNNING, WAITING, RETRYING]
        terminal: [SUCCEEDED, FAILED, CANCELLED, TIMED_OUT]
        initial: [RECEIVED, QUEUED]
        transitions:
          RECEIVED: [QUEUED, RUNNING, CANCELLED, FAILED]
          QUEUED: [RUNNING, CANCELLED, FAILED, TIMED_OUT]
          RUNNING: [WAITING, RETRYING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT]
        stale:
          default: 15m
          RUNNING: 1h
          WAITING: 90s
        """)

    @Test func staleTasksAreOpenTasksStrictlyPastTheirStatesThreshold() throws {
        let f = try LedgerFixture(rules: Self.staleRules)
        let now = at(10_000)
        try f.ledger.write(event("queued-at-threshold", "QUEUED", now - 15 * 60_000))
        try f.ledger.write(event("queued-past", "QUEUED", now - 15 * 60_000 - 1))
        try f.ledger.write(event("running-30m", "QUEUED", now - 3 * 3_600_000))
        try f.ledger.write(event("running-30m", "RUNNING", now - 30 * 60_000))
        try f.ledger.write(event("running-2h", "QUEUED", now - 3 * 3_600_000))
        try f.ledger.write(event("running-2h", "RUNNING", now - 2 * 3_600_000))
        try f.ledger.write(event("waiting-91s", "QUEUED", now - 3 * 3_600_000))
        try f.ledger.write(event("waiting-91s", "RUNNING", now - 2 * 3_600_000))
        try f.ledger.write(event("waiting-91s", "WAITING", now - 91_000))
        try f.ledger.write(event("done-long-ago", "QUEUED", now - 9 * 3_600_000))
        try f.ledger.write(event("done-long-ago", "CANCELLED", now - 8 * 3_600_000))
        try f.ledger.write(event("future", "QUEUED", now + 3_600_000))
        try f.ledger.write(event("never-applied", "RUNNING", now - 9 * 3_600_000))
        let stale = try f.ledger.staleTasks(now: now)
        #expect(stale.map(\.snapshot.task) == ["running-2h", "queued-past", "waiting-91s"])
        let ages: [Int64] = [2 * 3_600_000, 15 * 60_000 + 1, 91_000]
        let thresholds: [Int64] = [3_600_000, 15 * 60_000, 90_000]
        #expect(stale.map(\.age) == ages)
        #expect(stale.map(\.threshold) == thresholds)
    }

    @Test func staleTasksOfEqualAgeSortByTaskBytewise() throws {
        let f = try LedgerFixture()
        let now = at(10_000)
        for task in ["b", "a", "B", "é", "aa"] {
            try f.ledger.write(event(task, "QUEUED", now - 3_600_000))
        }
        try f.ledger.write(event("older", "QUEUED", now - 7_200_000))
        #expect(try f.ledger.staleTasks(now: now).map(\.snapshot.task) == ["older", "B", "a", "aa", "b", "é"])
    }

    @Test func olderThanReplacesEveryStatesThreshold() throws {
        let f = try LedgerFixture(rules: Self.staleRules)
        let now = at(10_000)
        try f.ledger.write(event("q", "QUEUED", now - 5 * 60_000))
        try f.ledger.write(event("r", "QUEUED", now - 60 * 60_000))
        try f.ledger.write(event("r", "RUNNING", now - 10 * 60_000))
        #expect(try f.ledger.staleTasks(now: now, olderThan: 5 * 60_000).map(\.snapshot.task) == ["r"])
        #expect(try f.ledger.staleTasks(now: now, olderThan: 60_000).map(\.snapshot.task) == ["r", "q"])
        #expect(try f.ledger.staleTasks(now: now, olderThan: 10 * 60_000).isEmpty)
    }

    // MARK: deliver

    @Test func deliveryWithTheSameChannelAndKeyIsSuppressedAsDuplicate() throws {
        let f = try LedgerFixture()
        #expect(try f.ledger.deliver(task: "t", channel: "slack", key: "k", now: at(0)) == .deliver)
        #expect(try f.ledger.deliver(task: "t", channel: "slack", key: "k", now: at(9_999)) == .suppressedDuplicate)
        #expect(try f.ledger.deliver(task: "other", channel: "slack", key: "k", now: at(9_999)) == .suppressedDuplicate)
        #expect(try f.ledger.deliver(task: "t", channel: "email", key: "k", now: at(1)) == .deliver)
        #expect(try f.count("delivery_log") == 2)
    }

    @Test func deliveryWithinTheCooldownIsSuppressed() throws {
        let f = try LedgerFixture()
        let cooldown: Int64 = 10 * 60_000
        #expect(try f.ledger.deliver(task: "t", channel: "c", key: "1", cooldown: cooldown, now: at(0)) == .deliver)
        #expect(try f.ledger.deliver(task: "t", channel: "c", key: "2", cooldown: cooldown, now: at(0) + cooldown - 1) == .suppressedCooldown)
        #expect(try f.ledger.deliver(task: "t", channel: "other", key: "2", cooldown: cooldown, now: at(1)) == .deliver)
        #expect(try f.ledger.deliver(task: "u", channel: "c", key: "3", cooldown: cooldown, now: at(1)) == .deliver)
        #expect(try f.ledger.deliver(task: "t", channel: "c", key: "2", cooldown: cooldown, now: at(0) + cooldown) == .deliver)
        #expect(try f.ledger.deliver(task: "t", channel: "c", key: "4", now: at(0) + cooldown) == .deliver, "no cooldown given")
    }

    @Test func defaultDeliveryKeyIsTheTaskAndItsCurrentState() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "QUEUED", at(0)))
        #expect(try f.ledger.deliver(task: "t", channel: "c", now: at(1)) == .deliver)
        #expect(try f.ledger.deliver(task: "t", channel: "c", now: at(2)) == .suppressedDuplicate)
        try f.ledger.write(event("t", "FAILED", at(3)))
        #expect(try f.ledger.deliver(task: "t", channel: "c", now: at(4)) == .deliver)
        let keys = try f.rows("SELECT key FROM delivery_log ORDER BY id").map { $0[0] as String }
        #expect(keys == ["t#QUEUED", "t#FAILED"])
    }

    @Test func defaultDeliveryKeyNeedsATaskWithAState() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RUNNING", at(0)))  // refused: no state yet
        #expect(throws: LedgerError.noState(task: "t")) {
            try f.ledger.deliver(task: "t", channel: "c", now: at(1))
        }
        #expect(throws: LedgerError.noState(task: "nobody")) {
            try f.ledger.deliver(task: "nobody", channel: "c", now: at(1))
        }
        #expect(try f.count("delivery_log") == 0)
        #expect(LedgerError.noState(task: "t").description.contains("--key"))
    }

    // MARK: verify

    static func writeSample(_ ledger: SQLiteLedger) throws {
        try ledger.write(event("a", "RECEIVED", at(0)))
        try ledger.write(event("a", "RUNNING", at(10), actor: "w"))
        try ledger.write(event("a", "WAITING", at(5)))
        try ledger.write(event("a", "RUNNING", at(15)))
        try ledger.write(event("a", "SUCCEEDED", at(20)))
        try ledger.write(event("a", "FAILED", at(30)))
        try ledger.write(event("b", "RUNNING", at(0)))
        try ledger.write(event("b", "QUEUED", at(1), stage: "x"))
        try ledger.write(event("c", "who-knows", at(0)))
    }

    @Test func verifyIsCleanAfterLiveWrites() throws {
        let f = try LedgerFixture()
        try Self.writeSample(f.ledger)
        #expect(try f.ledger.history(task: "a").map(\.verdict) == [.applied, .applied, .outOfOrder, .applied, .applied, .afterTerminal])
        let report = try f.ledger.verify()
        #expect(report.isClean)
        #expect(report.events == 9)
        #expect(report.tasks == 2)
        #expect(report.differences.isEmpty)
        #expect(report.problems.isEmpty)
    }

    @Test(arguments: [
        ("changed state", "UPDATE task_state_snapshot SET state = 'RUNNING' WHERE task = 'a'", "a"),
        ("moved last_ts", "UPDATE task_state_snapshot SET last_ts = last_ts + 1 WHERE task = 'b'", "b"),
        ("changed stage", "UPDATE task_state_snapshot SET stage = 'y' WHERE task = 'b'", "b"),
        ("cleared terminal_ts", "UPDATE task_state_snapshot SET terminal_ts = NULL WHERE task = 'a'", "a"),
        ("deleted row", "DELETE FROM task_state_snapshot WHERE task = 'b'", "b"),
        ("invented row", "INSERT INTO task_state_snapshot (task, state, first_ts, last_ts) VALUES ('c', 'QUEUED', 0, 0)", "c"),
    ])
    func verifyReportsATamperedSnapshot(_ what: String, _ sql: String, _ task: String) throws {
        let f = try LedgerFixture()
        try Self.writeSample(f.ledger)
        try f.connection().write { db in try db.execute(sql: sql) }
        let report = try f.ledger.verify()
        #expect(!report.isClean, "\(what)")
        #expect(report.differences.map(\.task) == [task])
        #expect(report.differences.first?.description.contains("'\(task)'") == true)
    }

    @Test func verifyReportsTwoAppliedTerminalEventsInHistory() throws {
        let f = try LedgerFixture()
        try Self.writeSample(f.ledger)
        try f.connection().write { db in
            try db.execute(sql: "UPDATE task_events SET verdict = 'applied' WHERE task = 'a' AND state = 'FAILED'")
            try db.execute(sql: "UPDATE task_state_snapshot SET state = 'FAILED', last_ts = ?, terminal_ts = ? WHERE task = 'a'", arguments: [at(30), at(30)])
        }
        let report = try f.ledger.verify()
        // A task's snapshot never changes after its end (an applied event after it is an echo),
        // so the rebuilt one stays SUCCEEDED and the tampered FAILED one differs.
        #expect(report.differences.map(\.task) == ["a"])
        #expect(report.differences.first?.rebuilt?.state == "SUCCEEDED")
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.contains("'a'") == true)
    }

    /// Without the task-key index verify still reads task by task (SQLite sorts instead).
    @Test func verifyWorksOnALedgerThatLostItsTaskIndex() throws {
        let f = try LedgerFixture()
        try Self.writeSample(f.ledger)
        try f.connection().write { db in
            try db.execute(sql: "DROP INDEX task_events_by_task_key")
            try db.execute(sql: "UPDATE task_state_snapshot SET stage = 'y' WHERE task = 'b'")
        }
        let report = try f.ledger.verify()
        #expect(report.events == 9 && report.tasks == 2)
        #expect(report.differences.map(\.task) == ["b"])
        #expect(report.problems.isEmpty)
    }

    /// Verify reads a ledger task by task (in key order, keys in first-seen order) unless its
    /// keys are wrong, and then in seq order; either way the report lists differences by task
    /// and problems by seq, and the seq-order one adds only what it found of the keys.
    @Test func verifyReportsTheSameTaskByTaskAsInSeqOrder() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("z", "RECEIVED", at(0)))
        try f.ledger.write(event("a", "RECEIVED", at(0)))
        try f.ledger.write(event("a", "RUNNING", at(10)))
        try f.ledger.write(event("z", "RUNNING", at(10)))
        try f.ledger.write(event("m", "RECEIVED", at(5)))
        try f.ledger.write(event("z", "SUCCEEDED", at(20)))
        try f.connection().write { db in
            try db.execute(sql: "UPDATE task_events SET verdict = 'weird' WHERE task = 'a' AND state = 'RUNNING'")
            try db.execute(sql: "UPDATE task_events SET verdict = 'bogus' WHERE task = 'z' AND state = 'RUNNING'")
            try db.execute(sql: "UPDATE task_state_snapshot SET stage = 'tampered' WHERE task = 'z'")
        }
        let byTask = try f.ledger.verify()
        #expect(byTask.events == 6)
        #expect(byTask.tasks == 3)
        // Key order is z, a, m; the rebuilt a stops at RECEIVED, z's stored stage was changed.
        #expect(byTask.differences.map(\.task) == ["a", "z"])
        #expect(byTask.differences.first?.rebuilt?.state == "RECEIVED")
        #expect(byTask.problems == ["event 3 of task 'a' has unknown verdict 'weird'", "event 4 of task 'z' has unknown verdict 'bogus'"])

        // m's row given z's key: found while reading z's rows, so verify starts over in seq order.
        try f.connection().write { db in
            try db.execute(sql: "UPDATE task_events SET task_key = (SELECT task_key FROM task_keys WHERE task = 'z') WHERE task = 'm'")
        }
        // The report task by task, and what the keys' problem adds to it.
        func expectSeqOrderReport(adding problem: String) throws {
            let report = try f.ledger.verify()
            #expect(report == VerifyReport(events: byTask.events, tasks: byTask.tasks, differences: byTask.differences,
                                           problems: byTask.problems + [problem]))
        }
        try expectSeqOrderReport(
            adding: "task_events seq 5 of task 'm' has task_key 1: task_keys gives it to 'z', so history of the task misses the row")

        // A second key for m: seq order from the start.
        try f.connection().write { db in
            try db.execute(sql: "UPDATE task_events SET task_key = (SELECT task_key FROM task_keys WHERE task = 'm') WHERE task = 'm'")
            try db.execute(sql: "INSERT INTO task_keys (task, task_hash) SELECT task, task_hash FROM task_keys WHERE task = 'm'")
        }
        try expectSeqOrderReport(adding: "1 tasks have more than one row in task_keys: their history is split between keys")
    }
}
