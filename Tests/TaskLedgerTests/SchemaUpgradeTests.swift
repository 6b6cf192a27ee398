import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerSQLite

/// Schema version 3 added the indexes report windows read through, version 4 the record of
/// archives and the rejects' task index. A ledger made by the last
/// version 2 release (Tests/Ledgers/fixtures-v2.sqlite, the fixtures imported by it) is upgraded
/// when opened, and says afterwards exactly what a ledger made by this build from the same
/// files says.
struct SchemaUpgradeTests {
    /// The indexes versions 3 and 4 added; 3 dropped the unique index on event_id for the id_key one.
    static let versionThreeIndexes = [
        "import_rejects_by_task", "import_rejects_by_ts", "task_events_by_id_key", "task_events_by_ts", "task_state_snapshot_terminal",
    ]

    /// A copy of the version 2 ledger, so the committed file is never changed.
    static func versionTwoLedger(in directory: TempDirectory) throws -> String {
        let path = directory.path("v2.sqlite")
        try FileManager.default.copyItem(
            atPath: packageRoot.appendingPathComponent("Tests/Ledgers/fixtures-v2.sqlite").path, toPath: path)
        return path
    }

    static func schemaFacts(_ path: String) throws -> (version: Int, indexes: [String], uniqueID: Bool, unkeyedIDs: Int) {
        try DatabaseQueue(path: path).read { db in
            let names = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'"))
            return (try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                    versionThreeIndexes.filter(names.contains), names.contains("task_events_by_event_id"),
                    try db.columns(in: "task_events").contains { $0.name == "id_key" }
                        ? Int.fetchOne(db, sql: "SELECT count(*) FROM task_events WHERE event_id IS NOT NULL AND id_key IS NULL") ?? -1
                        : -1)
        }
    }

    @Test func aVersion2LedgerMadeByTheLastReleaseGetsTheWindowIndexesWhenOpened() throws {
        let directory = try TempDirectory()
        let path = try Self.versionTwoLedger(in: directory)
        let before = try Self.schemaFacts(path)
        #expect(before.version == 2 && before.indexes.isEmpty && before.uniqueID && before.unkeyedIDs == -1)
        _ = try Ledger(path)
        let after = try Self.schemaFacts(path)
        #expect(after.version == 4)
        #expect(try DatabaseQueue(path: path).read { try $0.tableExists("ledger_archives") })
        #expect(after.indexes == Self.versionThreeIndexes)
        #expect(!after.uniqueID && after.unkeyedIDs == 0)
        // Opening it again changes nothing.
        _ = try Ledger(path)
        #expect(try Self.schemaFacts(path) == after)
    }

    @Test func anUpgradedLedgerReportsAndVerifiesAsOneMadeByThisBuild() throws {
        let directory = try TempDirectory()
        let upgraded = try Ledger(try Self.versionTwoLedger(in: directory))
        let fresh = try fixturesLedger()
        let prefix = packageRoot.path + "/"
        #expect(try upgraded.verify().isClean)
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
