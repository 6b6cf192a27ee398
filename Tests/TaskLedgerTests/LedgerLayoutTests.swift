import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerSQLite

/// Schema version 6's layout (version 7: with the content keys of rows without an id in the id
/// tables too): tasks numbered in first-seen order (`task_keys`, the key of the history index
/// and of the snapshot), and ids deduplicated through `event_ids`, `event_ids_mid`
/// and a tail that writers fill in key order and merge into the mid table, which is merged into
/// `event_ids` once it holds `Schema.midTails` tails. Whatever the tail holds or has merged, dedupe, history, status
/// and verify answer as before, and verify catches a layout that lies.
@Suite("Ledger layout: task keys and the id tail")
struct LedgerLayoutTests {
    static let lifecycle = ["RECEIVED", "QUEUED", "RUNNING"]

    /// A ledger whose tail is merged once it holds `tailLimit` ids, and its task hashes' tail
    /// once it holds `taskTailLimit` pairs.
    static func ledger(_ directory: TempDirectory, tailLimit: Int, taskTailLimit: Int = Schema.taskTailLimit) throws -> SQLiteLedger {
        try SQLiteLedger(
            path: directory.path("l.sqlite"), rules: .standard, mode: .create, busyTimeout: 10, tailLimit: tailLimit,
            taskTailLimit: taskTailLimit)
    }

    /// The (hash, key) pairs of tasks in task_hashes and in its tail.
    static func taskPairs(_ path: String) throws -> (merged: Int, tail: Int) {
        try DatabaseQueue(path: path).read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM task_hashes") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM task_hashes_tail") ?? -1)
        }
    }

    static func counts(_ path: String) throws -> (merged: Int, mid: Int, tail: Int, withID: Int) {
        try DatabaseQueue(path: path).read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM event_ids") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM event_ids_mid") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM event_ids_tail") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM task_events WHERE event_id IS NOT NULL") ?? -1)
        }
    }

    /// The JSONL line of event `n` of task `t`.
    static func line(_ t: Int, _ n: Int, id: String? = nil) -> String {
        #"{"task":"t\#(t)","state":"\#(lifecycle[n])","ts":\#(at(Int64(t * 10 + n)) / 1000),"id":"\#(id ?? "e-\(t)-\(n)")"}"#
    }

    @Test func duplicatesAreFoundWhetherTheirIdIsInTheTailOrMerged() throws {
        let directory = try TempDirectory()
        let ledger = try Self.ledger(directory, tailLimit: 8)
        // 20 tasks × 3 live writes: a merge into the mid table every 8 ids, which holds them
        // until it has 8 × 8.
        for n in 0..<3 {
            for t in 0..<20 {
                #expect(try ledger.write(event("t\(t)", Self.lifecycle[n], at(Int64(t * 10 + n)), id: "e-\(t)-\(n)")) == .applied)
            }
        }
        let afterWrites = try Self.counts(ledger.path)
        #expect(afterWrites.withID == 60)
        #expect(afterWrites.merged == 0 && afterWrites.mid == 56 && afterWrites.tail == 4, "merged at 8, 16, …, 56")
        // Every id again, as live writes: duplicates, from the mid table and from the tail.
        for t in 0..<20 {
            for n in 0..<3 {
                #expect(try ledger.write(event("t\(t)", Self.lifecycle[n], at(Int64(t * 10 + n)), id: "e-\(t)-\(n)")) == .duplicate)
            }
        }
        // An import in batches of 7 lines, so that it merges between its transactions (the mid
        // table into event_ids too, once it reaches 64): the 60 known ids are duplicates,
        // wherever they are; 10 new tasks × 3 lines are applied.
        let file = directory.path("again.jsonl")
        let lines = (0..<3).flatMap { n in (0..<30).map { Self.line($0, n) } }
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let summary = try Ledger(store: ledger).importFile(file, batchSize: 7)
        #expect(summary.verdicts == [.duplicate: 60, .applied: 30])
        let afterImport = try Self.counts(ledger.path)
        #expect(afterImport.withID == 90 && afterImport.merged + afterImport.mid + afterImport.tail == 90)
        #expect(afterImport.merged >= 64 && afterImport.mid < 64 && afterImport.tail < 8, "\(afterImport)")
        // The same file under another name: every line a duplicate, its id in any of the three.
        let copy = directory.path("copy.jsonl")
        try FileManager.default.copyItem(atPath: file, toPath: copy)
        #expect(try Ledger(store: ledger).importFile(copy, batchSize: 7).verdicts == [.duplicate: 90])
        #expect(try ledger.verify().isClean)
    }

    @Test func tasksAreKeyedInFirstSeenOrderAndFoundByTheirKey() throws {
        let f = try LedgerFixture()
        let ledger = f.ledger
        #expect(try ledger.write(event("b", "RECEIVED", at(0), id: "1")) == .applied)
        #expect(try ledger.write(event("a", "RECEIVED", at(1), id: "2")) == .applied)
        // A first event that is refused still gives the task a key and a history.
        #expect(try ledger.write(event("c", "RUNNING", at(2), id: "3")) == .illegalTransition)
        // A duplicate stores nothing in task_events: the task gets no key.
        #expect(try ledger.write(event("d", "RECEIVED", at(3), id: "1")) == .duplicate)
        #expect(try ledger.write(event("b", "QUEUED", at(4), id: "4")) == .applied)
        #expect(try ledger.write(event("a", "QUEUED", at(5), id: "5")) == .applied)
        let keys = try f.rows("SELECT task_key, task FROM task_keys ORDER BY task_key").map { "\($0[0] as Int64) \($0[1] as String)" }
        #expect(keys == ["1 b", "2 a", "3 c"])
        let eventKeys = try f.rows("SELECT task, task_key FROM task_events ORDER BY seq").map { "\($0[0] as String)=\($0[1] as Int64)" }
        #expect(eventKeys == ["b=1", "a=2", "c=3", "b=1", "a=2"])
        let snapshotKeys = try f.rows("SELECT task_key, task FROM task_state_snapshot ORDER BY task_key").map { "\($0[0] as Int64) \($0[1] as String)" }
        #expect(snapshotKeys == ["1 b", "2 a"])
        #expect(try ledger.history(task: "b").map(\.state) == ["RECEIVED", "QUEUED"])
        #expect(try ledger.history(task: "c").map(\.verdict) == [.illegalTransition])
        #expect(try ledger.history(task: "d").isEmpty && ledger.snapshot(task: "d") == nil)
        #expect(try ledger.snapshot(task: "a")?.state == "QUEUED" && ledger.snapshot(task: "c") == nil)
        #expect(try ledger.eventCount(task: "a") == 2)
        // Reopened (a new cache), the keys are read back, not handed out again.
        let reopened = try SQLiteLedger(path: f.path, mode: .existing)
        #expect(try reopened.write(event("c", "RECEIVED", at(6), id: "6")) == .applied)
        #expect(try reopened.write(event("e", "RECEIVED", at(7), id: "7")) == .applied)
        #expect(try f.rows("SELECT task_key FROM task_keys WHERE task IN ('c', 'e') ORDER BY task_key").map { $0[0] as Int64 } == [3, 4])
        #expect(try reopened.snapshot(task: "c")?.state == "RECEIVED")
        #expect(try reopened.verify().isClean)
    }

    /// The filter an import ends with is kept (`dedupe_filter`), and the next import starts from
    /// it plus the rows stored after it: live writes between the imports are still duplicates,
    /// and so is every line of the first file. Archive forgets it; verify catches one that lies.
    @Test func theNextImportStartsFromTheStoredFilterAndStillFindsEveryDuplicate() throws {
        let directory = try TempDirectory()
        let ledger = try Self.ledger(directory, tailLimit: 8)
        func stored() throws -> (bits: Int, covers: Int64, bytes: Int)? {
            try DatabaseQueue(path: ledger.path).read { db in
                try Row.fetchOne(db, sql: """
                    SELECT f.bits, f.covers_seq, length(w.words) FROM dedupe_filter f JOIN dedupe_filter_words w ON w.id = f.id
                    """).map { ($0[0], $0[1], $0[2]) }
            }
        }
        #expect(try stored() == nil)
        let first = directory.path("first.jsonl")
        let lines = (0..<2).flatMap { n in (0..<10).map { Self.line($0, n) } }
        try (lines.joined(separator: "\n") + "\n").write(toFile: first, atomically: true, encoding: .utf8)
        #expect(try Ledger(store: ledger).importFile(first, batchSize: 7).verdicts == [.applied: 20])
        let afterFirst = try #require(try stored())
        // 20 lines of under 2 KB into an empty ledger: the smallest filter, 2^16 bits (8 KiB),
        // not the 8 MiB of a big import.
        #expect(try FileManager.default.attributesOfItem(atPath: first)[.size] as? Int ?? 0 < 2_048)
        #expect(afterFirst.bits == 1 << 16 && afterFirst.bytes == 1 << 13 && afterFirst.covers == 20)
        // Rows after the filter: a live write with a new id, and one without an id.
        #expect(try ledger.write(event("live", "RECEIVED", at(1), id: "live-1")) == .applied)
        #expect(try ledger.write(event("live", "QUEUED", at(2))) == .applied)
        // Another file: the first file's lines, the live write's id and content, and new lines.
        let second = directory.path("second.jsonl")
        let more = lines + [
            #"{"task":"other","state":"RECEIVED","ts":1,"id":"live-1"}"#,
            #"{"task":"live","state":"QUEUED","ts":\#(at(2) / 1000)}"#,
        ] + (10..<13).map { Self.line($0, 0) }
        try (more.joined(separator: "\n") + "\n").write(toFile: second, atomically: true, encoding: .utf8)
        #expect(try Ledger(store: ledger).importFile(second, batchSize: 7).verdicts == [.duplicate: 22, .applied: 3])
        #expect(try stored()?.covers == 25)
        #expect(try stored()?.bits == 1 << 16, "loaded, not rebuilt: big enough for 25 keys and the second file")
        #expect(try ledger.verify().isClean)
        // A file of 128–256 KB may hold 8–16k lines (16 bytes a line at least): with 25 keys,
        // 64 bits each needs 2^20 bits; the stored filter is too small, so it is rebuilt from
        // the ledger's keys, and every line already stored is still a duplicate.
        let third = directory.path("third.jsonl")
        let many = more + (13..<3_000).map { Self.line($0, 0) }
        try (many.joined(separator: "\n") + "\n").write(toFile: third, atomically: true, encoding: .utf8)
        let size = try FileManager.default.attributesOfItem(atPath: third)[.size] as? Int ?? 0
        try #require(size > 131_072 && size <= 262_144, "\(size) bytes")
        #expect(try Ledger(store: ledger).importFile(third, batchSize: 700).verdicts == [.duplicate: 25, .applied: 2_987])
        #expect(try stored().map { [$0.bits, $0.bytes] } == [1 << 20, 1 << 17])
        #expect(try ledger.verify().isClean)
        // A small file next: 3,012 keys need 2^18 bits, and the stored 2^20 is loaded, not
        // shrunk by a rebuild.
        let fourth = directory.path("fourth.jsonl")
        try ([Self.line(0, 0), Self.line(3_000, 0)].joined(separator: "\n") + "\n").write(toFile: fourth, atomically: true, encoding: .utf8)
        #expect(try Ledger(store: ledger).importFile(fourth).verdicts == [.duplicate: 1, .applied: 1])
        #expect(try stored().map { [Int64($0.bits), $0.covers] } == [1 << 20, 3_013])
        // A filter that lies (all zeros: "never seen" for every key) is reported.
        let queue = try DatabaseQueue(path: ledger.path)
        try queue.write { db in try db.execute(sql: "UPDATE dedupe_filter_words SET words = zeroblob(length(words))") }
        let problems = try ledger.verify().problems
        #expect(problems == [
            "3013 task_events rows are not in the stored dedupe filter that claims to cover them (dedupe_filter): an import would take them again; delete its row and the next import rebuilds it",
        ])
        // Archive deletes rows, so it forgets the filter; the next import rebuilds it.
        #expect(try ledger.write(event("live", "RUNNING", at(3))) == .applied)
        #expect(try ledger.write(event("live", "SUCCEEDED", at(4))) == .applied)
        let archive = try Ledger(directory.path("archive.sqlite"))
        let moved = try Ledger(store: ledger).archive(before: at(1_000_000), into: archive)
        #expect(moved.tasks == 1 && moved.events == 4)
        #expect(try stored() == nil)
        #expect(try ledger.verify().isClean)
    }

    @Test func tasksAreFoundWhetherTheirHashIsInTheTailOrMerged() throws {
        let directory = try TempDirectory()
        // The task hashes' tail is counted at every flush and merged at 4 pairs.
        let ledger = try Self.ledger(directory, tailLimit: 8, taskTailLimit: 4)
        for t in 0..<6 { #expect(try ledger.write(event("t\(t)", Self.lifecycle[0], at(Int64(t * 10)), id: "e-\(t)-0")) == .applied) }
        // Merged when the fourth task was added; two new ones in the tail since.
        #expect(try Self.taskPairs(ledger.path) == (merged: 4, tail: 2))
        for t in 0..<6 {
            #expect(try ledger.write(event("t\(t)", Self.lifecycle[1], at(Int64(t * 10 + 1)), id: "e-\(t)-1")) == .applied)
            #expect(try ledger.snapshot(task: "t\(t)")?.state == Self.lifecycle[1])
        }
        // Known tasks add no pair.
        #expect(try Self.taskPairs(ledger.path) == (merged: 4, tail: 2))
        // An import in batches of 7 lines of 30 tasks, 6 of them known (wherever their pair
        // is): every task keeps one key, its pair merged or in the tail.
        let file = directory.path("tasks.jsonl")
        let lines = (0..<3).flatMap { n in (0..<30).map { Self.line($0, n) } }
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try Ledger(store: ledger).importFile(file, batchSize: 7).verdicts == [.duplicate: 12, .applied: 78])
        let pairs = try Self.taskPairs(ledger.path)
        #expect(pairs.merged + pairs.tail == 30 && pairs.merged >= 26 && pairs.tail < 4 + 7, "\(pairs)")
        let keys = try DatabaseQueue(path: ledger.path).read { db in
            try String.fetchAll(db, sql: "SELECT task FROM task_keys ORDER BY task_key")
        }
        #expect(keys == (0..<30).map { "t\($0)" })
        for t in [0, 5, 6, 29] {
            #expect(try ledger.history(task: "t\(t)").map(\.state) == Array(Self.lifecycle[0..<3]))
            #expect(try ledger.snapshot(task: "t\(t)")?.state == Self.lifecycle[2])
        }
        #expect(try ledger.verify().isClean)
        // Another task under t1's hash (a collision, or a tool's row): t1 is found by its text.
        try DatabaseQueue(path: ledger.path).write { db in
            try db.execute(
                sql: "INSERT INTO task_keys (task, task_hash) VALUES ('not-t1', ?)", arguments: [TaskKeyStatements.hash("t1")])
        }
        #expect(try ledger.history(task: "t1").count == 3 && ledger.history(task: "not-t1").isEmpty)
        #expect(try ledger.write(event("t1", "SUCCEEDED", at(100), id: "e-1-3")) == .applied)
        #expect(try ledger.history(task: "t1").count == 4)
        #expect(try ledger.verify().problems == ["1 task_keys rows have a task_hash that is not their task's: their tasks' keys cannot be found"])
        try DatabaseQueue(path: ledger.path).write { db in try db.execute(sql: "DELETE FROM task_keys WHERE task = 'not-t1'") }
        // Archived tasks take their pairs with them (the trigger on task_keys), in both ledgers'
        // layouts: verify passes on each.
        let archive = try Ledger(directory.path("archive.sqlite"))
        let moved = try Ledger(store: ledger).archive(before: at(1_000_000), into: archive, batchSize: 5)
        #expect(moved.tasks == 1)
        #expect(try ledger.verify().isClean)
        #expect(try archive.verify().isClean)
        #expect(try ledger.history(task: "t1").isEmpty && archive.history(task: "t1").count == 4)
        let left = try Self.taskPairs(ledger.path)
        #expect(left.merged + left.tail == 29, "the 29 open tasks: \(left)")
    }

    /// A tool that writes the tables itself and gets the layout wrong is told so by verify.
    @Test func verifyReportsRowsTheLayoutCannotFind() throws {
        let directory = try TempDirectory()
        let ledger = try Self.ledger(directory, tailLimit: 3)
        for t in 0..<4 {
            for n in 0..<2 { try ledger.write(event("t\(t)", Self.lifecycle[n], at(Int64(t * 10 + n)), id: "e-\(t)-\(n)")) }
        }
        #expect(try ledger.verify().isClean)
        let queue = try DatabaseQueue(path: ledger.path)
        func problems(after tampering: String) throws -> [String] {
            try queue.write { db in try db.execute(sql: tampering) }
            return try ledger.verify().problems
        }
        // An event under another task's key: history of its task misses it.
        var found = try problems(after: "UPDATE task_events SET task_key = 2 WHERE seq = 1")
        #expect(found.count == 1)
        #expect(found.first?.contains("task_events seq 1 of task 't0' has task_key 2: task_keys gives it to 't1'") == true, "\(found)")
        _ = try problems(after: "UPDATE task_events SET task_key = 1 WHERE seq = 1")
        // An event whose id is in none of the id tables: dedupe would take it again. (Tails of
        // 3 merge into the mid table at 3 and 6; the last 2 ids are in the tail.)
        #expect(try Self.counts(ledger.path) == (merged: 0, mid: 6, tail: 2, withID: 8))
        found = try problems(after: "DELETE FROM event_ids_mid WHERE seq = (SELECT min(seq) FROM event_ids_mid)")
        #expect(found == ["event_ids, event_ids_mid and event_ids_tail hold 7 (key, seq) pairs, task_events 8 rows: dedupe would miss or invent duplicates"])
        // Put back under the wrong seq: same count, other pairs.
        found = try problems(after: "INSERT INTO event_ids SELECT id_key, seq + 100 FROM task_events WHERE seq = 1")
        #expect(found == ["event_ids, event_ids_mid and event_ids_tail hold 8 (key, seq) pairs, task_events 8 rows, not the same ones: dedupe would miss or invent duplicates"])
        // Put back right, and once more in the tail: 9 pairs for 8 rows.
        found = try problems(after: """
            DELETE FROM event_ids WHERE seq = 101; INSERT INTO event_ids SELECT id_key, seq FROM task_events WHERE seq = 1;
            INSERT INTO event_ids_tail SELECT id_key, seq FROM task_events WHERE seq = 1
            """)
        #expect(found == ["event_ids, event_ids_mid and event_ids_tail hold 9 (key, seq) pairs, task_events 8 rows: dedupe would miss or invent duplicates"])
        try queue.write { db in try db.execute(sql: "DELETE FROM event_ids_tail WHERE seq = 1") }
        #expect(try ledger.verify().isClean)
        // A task_keys row whose hash is wrong no longer matches its pair (the trigger that
        // deletes the pair with the row would miss it); tasks are found through the pairs.
        let pairsProblem = """
            task_hashes and task_hashes_tail lack the pair of 1 task_keys rows (or hold it twice) and hold 1 pairs of no row: \
            tasks would not be found, or be found under a key that is not theirs
            """
        found = try problems(after: "UPDATE task_keys SET task_hash = task_hash + 1 WHERE task = 't2'")
        #expect(found == ["1 task_keys rows have a task_hash that is not their task's: their tasks' keys cannot be found", pairsProblem])
        #expect(try ledger.history(task: "t2").count == 2)
        _ = try problems(after: "UPDATE task_keys SET task_hash = task_hash - 1 WHERE task = 't2'")
        #expect(try ledger.verify().isClean)
        // A pair under a wrong hash: the task cannot be found, its next event would get another key.
        #expect(try Self.taskPairs(ledger.path) == (merged: 0, tail: 4))
        found = try problems(after: "UPDATE task_hashes_tail SET task_hash = task_hash + 1 WHERE task_key = 3")
        #expect(found == [pairsProblem])
        #expect(try ledger.history(task: "t2").isEmpty && ledger.snapshot(task: "t2") == nil)
        // Or a pair missing, or held twice.
        found = try problems(after: "UPDATE task_hashes_tail SET task_hash = task_hash - 1 WHERE task_key = 3; DELETE FROM task_hashes_tail WHERE task_key = 2")
        #expect(found == [pairsProblem.replacingOccurrences(of: "hold 1 pairs", with: "hold 0 pairs")])
        found = try problems(after: "INSERT INTO task_hashes SELECT task_hash, task_key FROM task_keys WHERE task_key <= 2")
        #expect(found == [pairsProblem.replacingOccurrences(of: "hold 1 pairs", with: "hold 0 pairs")])
        _ = try problems(after: "DELETE FROM task_hashes WHERE task_key = 1")
        #expect(try ledger.verify().isClean)
        #expect(try ledger.history(task: "t2").count == 2)
        // A task with a second key.
        found = try problems(after: "INSERT INTO task_keys (task, task_hash) SELECT task, task_hash FROM task_keys WHERE task = 't2'")
        #expect(found == ["1 tasks have more than one row in task_keys: their history is split between keys"])
        _ = try problems(after: "DELETE FROM task_keys WHERE task_key = (SELECT max(task_key) FROM task_keys)")
        #expect(try ledger.verify().isClean)
        // A snapshot under a key task_keys gives to no task.
        found = try problems(after: "UPDATE task_state_snapshot SET task_key = 99 WHERE task = 't3'")
        #expect(found.contains { $0.hasPrefix("1 task_state_snapshot rows have a task_key that task_keys does not give to their task") }, "\(found)")
        #expect(try ledger.snapshot(task: "t3") == nil)
    }
}
