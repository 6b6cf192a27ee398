import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore

/// `archive` (issue 16): finished tasks move to another ledger, batch by batch; both ledgers stay
/// valid, together they hold exactly what the ledger held, and a killed archive resumes.
@Suite("archive: finished tasks into another ledger")
struct ArchiveCLITests {
    /// Night 3 of the generated series starts here: nights 1 and 2 end before it, with a few
    /// tasks running past midnight into night 3.
    static let before = "2026-03-03T00:00:00Z"
    static let beforeMillis: Int64 = 1_772_496_000_000

    /// Three realistic nights (UUID ids, tasks interleaving) imported into `live.sqlite` and,
    /// as the reference nothing is archived from, into `whole.sqlite`.
    func threeNights(_ dir: TempDirectory) throws -> (live: String, whole: String) {
        for night in 1...3 {
            let made = try CLI.run(["generate", "--tasks", "1500", "--ids", "uuid", "--night", "\(night)", "--seed", "\(night)",
                                    "--gzip", "--output", dir.path("night\(night).jsonl.gz")])
            try #require(made.status == 0, "\(made.stderr)")
        }
        for db in ["live.sqlite", "whole.sqlite"] {
            let r = try CLI.run(["import", "--db", dir.path(db), "--quiet"] + (1...3).map { dir.path("night\($0).jsonl.gz") })
            try #require(r.status == 0, "\(r.stderr)")
        }
        return (dir.path("live.sqlite"), dir.path("whole.sqlite"))
    }

    /// Counts of what the split ledgers hold that the whole one does not, and the other way
    /// round, table by table; all must be 0 (and the counts must add up).
    func checkSplit(live: String, archive: String, whole: String, before: Int64 = beforeMillis) throws {
        let queue = try DatabaseQueue(path: live)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS arch", arguments: [archive])
            try db.execute(sql: "ATTACH DATABASE ? AS whole", arguments: [whole])
        }
        let tables = [
            ("task_events", "seq, task, state, verdict, from_state, ts, event_id, content_key, actor, source, stage, detail, attrs, file, line, id_key"),
            ("task_state_snapshot", "task, state, stage, actor, source, first_ts, last_ts, terminal_ts, partial"),
            ("import_rejects", "id, file, line, kind, task, from_state, to_state, ts, event_id, message, raw"),
            ("delivery_log", "id, task, channel, key, delivered_at"),
        ]
        try queue.read { db in
            for (table, columns) in tables {
                let split = "SELECT \(columns) FROM main.\(table) UNION ALL SELECT \(columns) FROM arch.\(table)"
                let extra = try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(split) EXCEPT SELECT \(columns) FROM whole.\(table))")
                let missing = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT \(columns) FROM whole.\(table) EXCEPT SELECT * FROM (\(split)))")
                let counts = try [Int](["main", "arch", "whole"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0).\(table)")! })
                #expect(extra == 0 && missing == 0, "\(table): \(extra ?? -1) rows not in the whole ledger, \(missing ?? -1) missing")
                #expect(counts[0] + counts[1] == counts[2], "\(table): \(counts)")
            }
            // Whole tasks moved: no task has rows on both sides, each side's snapshots are on its side of `before`.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT DISTINCT task FROM main.task_events INTERSECT SELECT task FROM arch.task_events)") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM arch.task_state_snapshot WHERE terminal_ts IS NULL OR terminal_ts >= ?", arguments: [before]) == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM main.task_state_snapshot WHERE terminal_ts < ?", arguments: [before]) == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM main.task_state_snapshot WHERE terminal_ts IS NULL")
                == Int.fetchOne(db, sql: "SELECT count(*) FROM whole.task_state_snapshot WHERE terminal_ts IS NULL"))
        }
        for db in [live, archive] {
            let verify = try CLI.run(["verify", "--db", db])
            #expect(verify.status == 0, "\(db): \(verify.stdout)\(verify.stderr)")
        }
    }

    @Test func finishedTasksMoveOpenOnesStayAndBothLedgersWork() throws {
        let dir = try TempDirectory()
        let (live, whole) = try threeNights(dir)
        let archive = dir.path("archive.sqlite")
        let moved = try CLI.run(["archive", "--db", live, "--before", Self.before, "--to", archive, "--batch-size", "400", "--quiet"])
        #expect(moved.status == 0, "\(moved.stderr)")
        try checkSplit(live: live, archive: archive, whole: whole)
        let counts = try DatabaseQueue(path: whole).read { db in
            try [Int](["SELECT count(*) FROM task_state_snapshot WHERE terminal_ts < \(Self.beforeMillis)",
                       "SELECT count(*) FROM task_events WHERE task IN (SELECT task FROM task_state_snapshot WHERE terminal_ts < \(Self.beforeMillis))"]
                .map { try Int.fetchOne(db, sql: $0)! })
        }
        #expect(counts[0] > 2000, "nights 1 and 2 ended about 3000 tasks")
        #expect(moved.stdout.hasPrefix("archived \(counts[0]) tasks ended before 2026-03-03T00:00:00.000Z: \(counts[1]) events,"), "\(moved.stdout)")
        let batches = (counts[0] + 399) / 400
        #expect(moved.stdout.contains(" in \(batches) batches"), "\(moved.stdout)")

        // The live ledger records the archive.
        let record = try DatabaseQueue(path: live).read { db in
            try Row.fetchAll(db, sql: "SELECT path, before_ts, tasks, events FROM ledger_archives")
        }
        #expect(record.count == 1)
        #expect(record.first.map { [$0[0] as String, String($0[1] as Int64), String($0[2] as Int), String($0[3] as Int)] }
            == [archive, String(Self.beforeMillis), String(counts[0]), String(counts[1])])

        // The archive is a ledger: the outcomes of the archived nights are the whole ledger's,
        // and an archived task's history is the same.
        for (db, out) in [(whole, "whole"), (archive, "archive")] {
            let r = try CLI.run(["report", "--db", db, "--out", dir.path(out), "--until", Self.before, "--now", Self.before])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let outcomes = try ["whole", "archive"].map { try Data(contentsOf: URL(fileURLWithPath: dir.path("\($0)/outcomes.csv"))) }
        #expect(outcomes[0] == outcomes[1])
        #expect(outcomes[0].count > 100_000)
        let task = try #require(try DatabaseQueue(path: archive).read { try String.fetchOne($0, sql: "SELECT task FROM task_events ORDER BY seq LIMIT 1") })
        let histories = try [whole, archive].map { try CLI.run(["history", "--db", $0, task]) }
        #expect(histories[0].status == 0 && histories[0].stdout == histories[1].stdout && histories[0].stdout.count > 50)
        #expect(try CLI.run(["status", "--db", live, task]).status != 0, "the task is no longer in the live ledger")

        // Again: nothing left to move, nothing written (the record keeps its time of update).
        func state() throws -> [String] {
            let held = try DatabaseQueue(path: archive).read { db in
                try ["task_events", "task_state_snapshot", "import_rejects", "delivery_log"].map {
                    try String(Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)")!)
                }
            }
            let record = try DatabaseQueue(path: live).read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM ledger_archives").map(\.description)
            }
            return held + record
        }
        let stateBefore = try state()
        let again = try CLI.run(["archive", "--db", live, "--before", Self.before, "--to", archive, "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasPrefix("archived 0 tasks"), "\(again.stdout)")
        #expect(try state() == stateBefore)
        try checkSplit(live: live, archive: archive, whole: whole)

        // The live ledger goes on: night 4 imports into it and it stays consistent.
        let night4 = dir.path("night4.jsonl.gz")
        try #require(CLI.run(["generate", "--tasks", "1500", "--ids", "uuid", "--night", "4", "--seed", "4", "--gzip", "--output", night4]).status == 0)
        for db in [live, whole] {
            #expect(try CLI.run(["import", "--db", db, "--quiet", night4]).status == 0)
        }
        #expect(try CLI.run(["verify", "--db", live]).status == 0)
        // Night 3's and 4's tasks are all live: a later archive moves only what ended since.
        let later = try CLI.run(["archive", "--db", live, "--before", "2026-03-04T00:00:00Z", "--to", archive, "--quiet"])
        #expect(later.status == 0, "\(later.stderr)")
        try checkSplit(live: live, archive: archive, whole: whole, before: Self.beforeMillis + 86_400_000)
        let total = try DatabaseQueue(path: live).read { try Row.fetchOne($0, sql: "SELECT before_ts, tasks FROM ledger_archives") }
        #expect(total?[0] as Int64? == Self.beforeMillis + 86_400_000)
        #expect((total?[1] as Int?).map { $0 > counts[0] + 1000 } == true)
    }

    @Test func killedArchivesResumeToTheSameSplit() throws {
        let dir = try TempDirectory()
        let (live, whole) = try threeNights(dir)
        let archive = dir.path("archive.sqlite")
        var generator = SystemRandomNumberGenerator()
        var killed = 0
        for attempt in 0..<5 {
            let (process, _, err) = try CLI.start(["archive", "--db", live, "--before", Self.before, "--to", archive, "--batch-size", "60", "--quiet"])
            usleep(UInt32.random(in: 30_000...600_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .exit {
                let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                #expect(process.terminationStatus == 0, "archive \(attempt) ended by itself: \(stderr)")
            } else {
                killed += 1
            }
        }
        #expect(killed > 0, "no archive was killed mid-way: the kills came too late to test anything")
        let finished = try CLI.run(["archive", "--db", live, "--before", Self.before, "--to", archive, "--quiet"])
        #expect(finished.status == 0, "\(finished.stderr)")
        try checkSplit(live: live, archive: archive, whole: whole)
        // Every batch was recorded once: the record counts what the archive holds.
        let recorded = try DatabaseQueue(path: live).read { try Row.fetchOne($0, sql: "SELECT tasks, events FROM ledger_archives") }
        let held = try DatabaseQueue(path: archive).read { db in
            try [Int.fetchOne(db, sql: "SELECT count(*) FROM task_state_snapshot"), Int.fetchOne(db, sql: "SELECT count(*) FROM task_events")]
        }
        #expect([recorded?[0] as Int?, recorded?[1] as Int?] == held)
    }

    @Test func anArchiveThatIsNotThisLedgersIsRefusedAndNothingMoves() throws {
        let dir = try TempDirectory()
        let (live, _) = try threeNights(dir)
        func counts() throws -> [Int] {
            try DatabaseQueue(path: live).read { db in
                try ["task_events", "task_state_snapshot", "import_rejects", "ledger_archives"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)")! }
            }
        }
        let start = try counts()
        // Itself, by name and through another path to the same file.
        for to in [live, dir.path("./live.sqlite")] {
            let r = try CLI.run(["archive", "--db", live, "--before", Self.before, "--to", to])
            #expect(r.status == 3)
            #expect(r.stderr.contains("the archive must be another ledger than the one archived"), "\(r.stderr)")
        }
        // Another ledger with rows of its own under the same seq numbers.
        let other = dir.path("other.sqlite")
        let otherStream = dir.path("other.jsonl")
        try #require(CLI.run(["generate", "--tasks", "300", "--seed", "99", "--output", otherStream]).status == 0)
        try #require(CLI.run(["import", "--db", other, "--quiet", otherStream]).status == 0)
        let refused = try CLI.run(["archive", "--db", live, "--before", Self.before, "--to", other])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("it is not this ledger's archive"), "\(refused.stderr)")
        // A file that is not a ledger.
        let foreign = dir.path("foreign.sqlite")
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE notes (x)") }
        let notALedger = try CLI.run(["archive", "--db", live, "--before", Self.before, "--to", foreign])
        #expect(notALedger.status == 3)
        #expect(notALedger.stderr.contains("other tables: notes"), "\(notALedger.stderr)")
        #expect(try counts() == start, "nothing moved")
        #expect(start[3] == 0)
        // Bad options never open anything.
        for args in [["--before", "yesterday", "--to", dir.path("a.sqlite")], ["--before", Self.before],
                     ["--before", Self.before, "--to", dir.path("a.sqlite"), "--batch-size", "0"]] {
            let r = try CLI.run(["archive", "--db", live] + args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("a.sqlite")))
        let missing = try CLI.run(["archive", "--db", dir.path("none.sqlite"), "--before", Self.before, "--to", dir.path("b.sqlite")])
        #expect(missing.status == 3, "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("none.sqlite")))
    }

    /// The one window a kill can hit that matters: the batch committed in the archive, the
    /// process gone before the live ledger deleted it. The next run stores it once more (a
    /// no-op) and deletes it.
    @Test func aBatchStoredBeforeACrashIsStoredOnceWhenResumed() throws {
        let dir = try TempDirectory()
        let (live, whole) = try threeNights(dir)
        let archive = dir.path("archive.sqlite")
        try Self.crashAfterStoring(live: live, archive: archive, tasks: 300)
        let (held, left) = try (DatabaseQueue(path: archive).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM task_state_snapshot") },
                                DatabaseQueue(path: live).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM ledger_archives") })
        #expect(held == 300 && left == 0, "the batch is in the archive and still in the live ledger")
        let finished = try CLI.run(["archive", "--db", live, "--before", Self.before, "--to", archive, "--quiet"])
        #expect(finished.status == 0, "\(finished.stderr)")
        try checkSplit(live: live, archive: archive, whole: whole)
    }

    struct Crash: Error {}

    /// One batch of `tasks` stored in `archive`, then a failure before `live` deletes it.
    static func crashAfterStoring(live: String, archive: String, tasks: Int) throws {
        let source = try #require(try Ledger(live).store as? any LedgerArchiveSource)
        let target = try #require(try Ledger(archive).store as? any LedgerArchiveDestination)
        #expect(throws: Crash.self) {
            _ = try source.archiveBatch(before: beforeMillis, limit: tasks, archive: archive, now: 0) { rows in
                try target.storeArchived(rows)
                throw Crash()
            }
        }
    }
}
