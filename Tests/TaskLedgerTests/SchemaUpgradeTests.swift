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
/// index, version 6 event_ids_mid and no insert trigger on task_events. Ledgers made by the
/// last releases of versions 2, 4 and 5 (Tests/Ledgers/fixtures-vN.sqlite, the fixtures
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
        #expect(after.version == 6 && !after.taskTextIndex && after.unkeyedTasks == 0)
        #expect(after.triggers == ["task_events_id_removed"] && after.idTables == Self.idTables)
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
    }

    static let idTables = ["event_ids", "event_ids_mid", "event_ids_tail"]

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
                idTables: try idTables.filter { try db.tableExists($0) })
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
        #expect(after.version == 6 && after.triggers == ["task_events_id_removed"] && after.idTables == Self.idTables)
        #expect(try DatabaseQueue(path: path).read { try $0.tableExists("ledger_archives") && $0.tableExists("task_keys") })
        #expect(after.indexes == Self.versionThreeIndexes.filter { $0 != "task_events_by_id_key" })
        #expect(!after.uniqueID && !after.taskTextIndex && after.unkeyedIDs == 0 && after.unkeyedTasks == 0)
        // Every stored id is in event_ids, and the snapshot is keyed by task key.
        let (ids, pairs, snapshotKeys) = try DatabaseQueue(path: path).read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM task_events WHERE event_id IS NOT NULL") ?? 0,
             try Int.fetchOne(db, sql: """
                SELECT count(*) FROM event_ids i JOIN task_events e ON e.seq = i.seq AND e.id_key = i.id_key
                """) ?? 0,
             try Int.fetchOne(db, sql: """
                SELECT count(*) FROM task_state_snapshot s JOIN task_keys k ON k.task_key = s.task_key AND k.task = s.task
                """) ?? 0)
        }
        #expect(ids == 37 && pairs == ids)
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
        #expect(after.version == 6 && after.triggers == ["task_events_id_removed"] && after.idTables == Self.idTables)
        #expect(try pairs() == [0, 0, 37])
        #expect(try ledger.verify().isClean)
        // A new id gets one pair (from the writer; no trigger adds a second), and an id the
        // ledger had is still a duplicate.
        #expect(try ledger.write(event("new-task", "RECEIVED", at(0), id: "v6-first")) == .applied)
        #expect(try pairs() == [0, 0, 38])
        let known = try #require(try DatabaseQueue(path: path).read { db in
            try String.fetchOne(db, sql: "SELECT event_id FROM task_events WHERE event_id IS NOT NULL ORDER BY seq LIMIT 1")
        })
        #expect(try ledger.write(event("other-task", "RECEIVED", at(0), id: known)) == .duplicate)
        #expect(try ledger.verify().isClean)
        _ = try SQLiteLedger(path: path, mode: .existing)
        #expect(try Self.schemaFacts(path) == after)
    }

    @Test(arguments: [2, 4, 5]) func anUpgradedLedgerReportsAndVerifiesAsOneMadeByThisBuild(version: Int) throws {
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
