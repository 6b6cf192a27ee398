import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerSQLite

/// Schema version 3 added the indexes report windows read through, version 4 the record of
/// archives and the rejects' task index, version 5 task keys (the history index and the
/// snapshot keyed by them instead of by the task's text) and event_ids in place of the id_key
/// index, version 6 event_ids_mid and no insert trigger on task_events, version 7 the content
/// keys of rows without an id in the id tables instead of an index, version 8 the tasks' (hash,
/// key) pairs in task_hashes and its tail instead of an index on task_keys.task_hash. Ledgers
/// made by the last releases of versions 2, 4, 5, 6 and 7 (Tests/Ledgers/fixtures-vN.sqlite, the fixtures
/// imported by them) are upgraded when opened, and say afterwards exactly what a ledger made
/// by this build from the same files says.
struct SchemaUpgradeTests {
    /// The indexes versions 3 to 5 added and kept; 3 dropped the unique index on event_id for
    /// one on id_key, which 5 dropped for event_ids, and 5 the one on (task, seq) for the one on
    /// (task_key, seq).
    static let versionThreeIndexes = [
        "import_rejects_by_task", "import_rejects_by_ts", "task_events_by_id_key", "task_events_by_task_key", "task_events_by_ts",
        "task_state_snapshot_terminal",
    ]

    /// A copy of the version 2 ledger, so the committed file is never changed.
    static func versionTwoLedger(in directory: TempDirectory) throws -> String {
        try releasedLedger(version: 2, in: directory)
    }

    /// A copy of `Tests/Ledgers/fixtures-vN.sqlite`, made by the last release of version N.
    static func releasedLedger(version: Int, in directory: TempDirectory) throws -> String {
        let path = directory.path("v\(version).sqlite")
        try FileManager.default.copyItem(
            atPath: packageRoot.appendingPathComponent("Tests/Ledgers/fixtures-v\(version).sqlite").path, toPath: path)
        return path
    }

    @Test func aVersion4LedgerMadeByTheLastReleaseGetsTaskKeysAndTheIdTablesWhenOpened() throws {
        let directory = try TempDirectory()
        let path = try Self.releasedLedger(version: 4, in: directory)
        let before = try Self.schemaFacts(path)
        #expect(before.version == 4 && before.indexes == Self.versionThreeIndexes.filter { $0 != "task_events_by_task_key" })
        #expect(before.taskTextIndex && before.unkeyedTasks == -1 && before.unkeyedIDs == 0)
        _ = try Ledger(path)
        let after = try Self.schemaFacts(path)
        #expect(after.version == 8 && !after.taskTextIndex && after.unkeyedTasks == 0)
        #expect(after.triggers == Self.triggers && after.idTables == Self.idTables)
        #expect(after.indexes == Self.versionThreeIndexes.filter { $0 != "task_events_by_id_key" })
        _ = try Ledger(path)
        #expect(try Self.schemaFacts(path) == after)
    }

    struct SchemaFacts: Equatable {
        var version: Int
        var indexes: [String]
        /// The unique index on event_id (v2) and the index on (task, seq) (up to v4) are there.
        var uniqueID: Bool
        var taskTextIndex: Bool
        /// Rows with an id but no id_key, or with no task_key; -1 without the column.
        var unkeyedIDs: Int
        var unkeyedTasks: Int
        /// Triggers, and the id tables of versions 5 and 6 present, by name.
        var triggers: [String]
        var idTables: [String]
        /// The partial index on content_key (up to v6) is there.
        var contentIndex: Bool
    }

    static let idTables = ["event_ids", "event_ids_mid", "event_ids_tail"]
    /// The triggers of version 8.
    static let triggers = ["task_events_id_removed", "task_keys_hash_added", "task_keys_hash_removed"]

    static func schemaFacts(_ path: String) throws -> SchemaFacts {
        try DatabaseQueue(path: path).read { db in
            let names = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'"))
            let columns = Set(try db.columns(in: "task_events").map(\.name))
            return SchemaFacts(
                version: try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                indexes: versionThreeIndexes.filter(names.contains), uniqueID: names.contains("task_events_by_event_id"),
                taskTextIndex: names.contains("task_events_by_task"),
                unkeyedIDs: columns.contains("id_key")
                    ? try Int.fetchOne(db, sql: "SELECT count(*) FROM task_events WHERE event_id IS NOT NULL AND id_key IS NULL") ?? -1
                    : -1,
                unkeyedTasks: columns.contains("task_key")
                    ? try Int.fetchOne(db, sql: "SELECT count(*) FROM task_events WHERE task_key IS NULL") ?? -1
                    : -1,
                triggers: try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"),
                idTables: try idTables.filter { try db.tableExists($0) },
                contentIndex: names.contains("task_events_by_content_key"))
        }
    }

    /// Each task with its key, in key order.
    static func taskKeys(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT task_key || ' ' || task FROM task_keys ORDER BY task_key")
        }
    }

    @Test func aVersion2LedgerMadeByTheLastReleaseGetsTheWindowIndexesWhenOpened() throws {
        let directory = try TempDirectory()
        let path = try Self.versionTwoLedger(in: directory)
        let before = try Self.schemaFacts(path)
        #expect(before.version == 2 && before.indexes.isEmpty && before.uniqueID && before.taskTextIndex)
        #expect(before.unkeyedIDs == -1 && before.unkeyedTasks == -1)
        _ = try Ledger(path)
        let after = try Self.schemaFacts(path)
        #expect(after.version == 8 && after.triggers == Self.triggers && after.idTables == Self.idTables)
        #expect(try DatabaseQueue(path: path).read { try $0.tableExists("ledger_archives") && $0.tableExists("task_keys") })
        #expect(after.indexes == Self.versionThreeIndexes.filter { $0 != "task_events_by_id_key" })
        #expect(!after.uniqueID && !after.taskTextIndex && after.unkeyedIDs == 0 && after.unkeyedTasks == 0)
        #expect(before.contentIndex && !after.contentIndex)
        // Every stored id is in event_ids, every id-less row's content key too (v7), and the
        // snapshot is keyed by task key.
        let (ids, pairs, contentPairs, snapshotKeys) = try DatabaseQueue(path: path).read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM task_events WHERE event_id IS NOT NULL") ?? 0,
             try Int.fetchOne(db, sql: """
                SELECT count(*) FROM event_ids i JOIN task_events e ON e.seq = i.seq AND e.id_key = i.id_key
                """) ?? 0,
             try Int.fetchOne(db, sql: """
                SELECT count(*) FROM event_ids i JOIN task_events e
                    ON e.seq = i.seq AND e.content_key = i.id_key AND e.event_id IS NULL
                """) ?? 0,
             try Int.fetchOne(db, sql: """
                SELECT count(*) FROM task_state_snapshot s JOIN task_keys k ON k.task_key = s.task_key AND k.task = s.task
                """) ?? 0)
        }
        #expect(ids == 37 && pairs == ids)
        #expect(contentPairs == 9)
        #expect(snapshotKeys == 13)
        // Opening it again changes nothing.
        _ = try Ledger(path)
        #expect(try Self.schemaFacts(path) == after)
    }

    /// Version 6 dropped the trigger that put every new row's id pair into the tail (writers put
    /// them there, in key order) and added event_ids_mid. A v5 ledger keeps the pairs its tail
    /// holds, and takes new ones once, from the writer.
    @Test func aVersion5LedgerMadeByTheLastReleaseLosesTheInsertTriggerAndGetsTheMidTable() throws {
        let directory = try TempDirectory()
        let path = try Self.releasedLedger(version: 5, in: directory)
        let before = try Self.schemaFacts(path)
        #expect(before.version == 5 && before.triggers == ["task_events_id_added", "task_events_id_removed"])
        #expect(before.idTables == ["event_ids", "event_ids_tail"])
        func pairs() throws -> [Int] {
            try DatabaseQueue(path: path).read { db in
                try Self.idTables.map { try db.tableExists($0) ? Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1 : -1 }
            }
        }
        #expect(try pairs() == [0, -1, 37])
        let ledger = try SQLiteLedger(path: path, mode: .existing)
        let after = try Self.schemaFacts(path)
        #expect(after.version == 8 && after.triggers == Self.triggers && after.idTables == Self.idTables)
        // The nine rows without an id get their content keys' pairs in event_ids (v7).
        #expect(try pairs() == [9, 0, 37])
        #expect(try ledger.verify().isClean)
        // A new id gets one pair (from the writer; no trigger adds a second), and an id the
        // ledger had is still a duplicate.
        #expect(try ledger.write(event("new-task", "RECEIVED", at(0), id: "v6-first")) == .applied)
        #expect(try pairs() == [9, 0, 38])
        let known = try #require(try DatabaseQueue(path: path).read { db in
            try String.fetchOne(db, sql: "SELECT event_id FROM task_events WHERE event_id IS NOT NULL ORDER BY seq LIMIT 1")
        })
        #expect(try ledger.write(event("other-task", "RECEIVED", at(0), id: known)) == .duplicate)
        #expect(try ledger.verify().isClean)
        _ = try SQLiteLedger(path: path, mode: .existing)
        #expect(try Self.schemaFacts(path) == after)
    }

    /// Version 7 finds rows without an id through the id tables by their content key, not
    /// through the partial index on content_key, and forgets the stored filter: version 6 kept
    /// content keys in it mixed with a constant, so a filter it saved would say "certainly new"
    /// of lines the ledger holds. The fixture was saved without its 8 MiB filter; the test puts
    /// one back, as version 6 lays it out, that holds no key at all — the worst a stale filter
    /// can be.
    @Test func aVersion6LedgerMadeByTheLastReleaseFindsIdlessRowsThroughTheIdTablesAndForgetsItsFilter() throws {
        let directory = try TempDirectory()
        let path = try Self.releasedLedger(version: 6, in: directory)
        let before = try Self.schemaFacts(path)
        #expect(before.version == 6 && before.contentIndex && before.idTables == Self.idTables)
        func counts() throws -> [Int] {
            try DatabaseQueue(path: path).read { db in
                try (Self.idTables + ["dedupe_filter"]).map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1 }
            }
        }
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: """
                INSERT INTO dedupe_filter (id, bits, covers_seq) SELECT 1, \(1 << 26), max(seq) FROM task_events;
                INSERT INTO dedupe_filter_words (id, words) VALUES (1, zeroblob(\((1 << 26) / 8)));
                """)
        }
        #expect(try counts() == [0, 0, 37, 1])
        let ledger = try Ledger(path)
        let after = try Self.schemaFacts(path)
        #expect(after.version == 8 && !after.contentIndex && after.triggers == Self.triggers)
        #expect(try counts() == [9, 0, 37, 0])
        #expect(try ledger.verify().isClean)
        // Every line of the fixtures again is a duplicate or a reject, nothing is stored, and the
        // nine id-less rows are found by content: each id-less line the first import stored or
        // took as a duplicate is a duplicate now.
        func stored() throws -> (events: Int, idlessDuplicates: Int) {
            try DatabaseQueue(path: path).read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM task_events") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM import_rejects WHERE kind = 'duplicate' AND event_id IS NULL") ?? -1)
            }
        }
        let first = try stored()
        #expect(first.events == 46)
        for file in ["fixtures/events.jsonl", "fixtures/nightly.jsonl.gz"] {
            let again = try ledger.importFile(packageRoot.appendingPathComponent(file).path)
            #expect(again.verdicts[.duplicate] != nil && [Verdict.applied, .outOfOrder, .unknownState, .afterTerminal, .illegalTransition].allSatisfy { again.verdicts[$0] == nil },
                    "\(file): \(again.verdicts)")
        }
        let second = try stored()
        #expect(second.events == 46 && second.idlessDuplicates == 2 * first.idlessDuplicates + 9, "\(first) \(second)")
        #expect(try ledger.verify().isClean)
        _ = try Ledger(path)
        #expect(try Self.schemaFacts(path) == after)
    }

    @Test func aVersion7LedgerMadeByTheLastReleaseFindsItsTasksThroughTheHashTables() throws {
        let directory = try TempDirectory()
        let path = try Self.releasedLedger(version: 7, in: directory)
        func facts() throws -> (version: Int, hashIndex: Bool, merged: Int, tail: Int, tasks: Int) {
            try DatabaseQueue(path: path).read { db in
                (try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                 try db.indexes(on: "task_keys").contains { $0.name == "task_keys_by_hash" },
                 try db.tableExists("task_hashes") ? Int.fetchOne(db, sql: "SELECT count(*) FROM task_hashes") ?? -1 : -1,
                 try db.tableExists("task_hashes_tail") ? Int.fetchOne(db, sql: "SELECT count(*) FROM task_hashes_tail") ?? -1 : -1,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM task_keys") ?? -1)
            }
        }
        let before = try facts()
        #expect(before == (7, true, -1, -1, 14))
        let ledger = try Ledger(path)
        // Every task's pair merged (hash order, one pass), the index gone, the triggers there.
        #expect(try facts() == (8, false, 14, 0, 14))
        #expect(try Self.schemaFacts(path).triggers == Self.triggers)
        let paired = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: """
                SELECT k.task, h.task_hash FROM task_keys k JOIN task_hashes h ON h.task_key = k.task_key ORDER BY k.task_key
                """).map { ($0[0] as String, $0[1] as Int64) }
        }
        #expect(paired.count == 14 && paired.allSatisfy { TaskKeyStatements.hash($0.0) == $0.1 })
        #expect(try ledger.verify().isClean)
        #expect(try ledger.snapshot(task: "build-1") != nil && ledger.history(task: "nightly-21").count > 0)
        // A new task's pair goes into the tail, and the task is found through it.
        #expect(try ledger.write(event("v8-task", "RECEIVED", at(0), id: "v8-first")) == .applied)
        #expect(try facts() == (8, false, 14, 1, 15))
        #expect(try ledger.snapshot(task: "v8-task")?.state == "RECEIVED")
        #expect(try ledger.write(event("v8-task", "RUNNING", at(1), id: "v8-second")) == .applied)
        #expect(try ledger.history(task: "v8-task").map(\.state) == ["RECEIVED", "RUNNING"])
        #expect(try facts() == (8, false, 14, 1, 15))
        #expect(try ledger.verify().isClean)
    }

    @Test(arguments: [2, 4, 5, 6, 7]) func anUpgradedLedgerReportsAndVerifiesAsOneMadeByThisBuild(version: Int) throws {
        let directory = try TempDirectory()
        let upgraded = try Ledger(try Self.releasedLedger(version: version, in: directory))
        let fresh = try fixturesLedger()
        let prefix = packageRoot.path + "/"
        #expect(try upgraded.verify().isClean)
        // Keys in first-seen order, as the import of the same files gives them.
        let keys = try Self.taskKeys(upgraded.location)
        #expect(keys.count == 14 && keys.first == "1 build-1" && keys.last == "14 nightly-21")
        #expect(keys == (try Self.taskKeys(fresh.location)))
        for task in ["build-1", "7", "nightly-21", "nope"] {
            #expect(try upgraded.history(task: task).map(\.seq) == (try fresh.history(task: task).map(\.seq)))
        }
        #expect(try upgraded.history(task: "build-1").count > 1)
        let now = try #require(Timestamp.parse("2026-11-25T00:00:00Z"))
        for (since, until) in [(nil, nil), (Timestamp.parse("2026-11-24T10:10:00Z"), Timestamp.parse("2026-11-24T10:30:00Z"))] {
            var a = try upgraded.report(ReportOptions(now: now, since: since, until: until))
            var b = try fresh.report(ReportOptions(now: now, since: since, until: until))
            // The fresh ledger read the fixtures by absolute path, the committed one as fixtures/….
            a.ledgerPath = b.ledgerPath
            for i in b.violations.indices { b.violations[i].file = String(b.violations[i].file.dropFirst(prefix.count)) }
            #expect(a == b)
            #expect(!b.outcomes.isEmpty && !b.violations.isEmpty)
        }
        // And it takes new lines as any ledger does: the same file under another name is all duplicates.
        let again = try upgraded.importFile(prefix + "fixtures/events.jsonl")
        #expect(again.verdicts[.applied] == nil && again.verdicts[.duplicate] != nil)
    }
}
