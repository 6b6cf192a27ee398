import Foundation
import TaskLedgerTestSupport
import GRDB
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

/// A ledger in its own temp directory; the directory lives as long as the fixture.
struct LedgerFixture {
    let directory: TempDirectory
    let ledger: SQLiteLedger
    var path: String { ledger.path }

    init(rules: Rules = .standard) throws {
        directory = try TempDirectory()
        ledger = try SQLiteLedger(path: directory.path("ledger.db"), rules: rules)
    }

    /// A raw connection to the same file, for asserting on stored rows and for tampering.
    func connection() throws -> DatabaseQueue {
        var config = Configuration()
        config.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: config)
    }

    func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [Row] {
        try connection().read { db in try Row.fetchAll(db, sql: sql, arguments: arguments) }
    }

    func count(_ table: String) throws -> Int {
        try connection().read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }
}

/// Epoch ms of `2026-01-01T00:00:00Z` plus `seconds`: readable offsets in tests.
func at(_ seconds: Int64) -> Int64 { 1_767_225_600_000 + seconds * 1000 }

func event(
    _ task: String, _ state: String, _ ts: Int64, id: String? = nil, actor: String = "",
    source: String = "", stage: String = "", detail: String = "", attrs: String? = nil
) -> StatusEvent {
    StatusEvent(
        task: task, state: state, timestamp: ts, id: id, actor: actor, source: source, stage: stage,
        detail: detail, attrs: attrs)
}

/// The bytes of a file, or nil if it does not exist.
func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

extension SQLiteLedger {
    /// The report of this ledger, as ``Ledger/report(_:)`` builds it.
    func report(_ options: ReportOptions) throws -> Report {
        try Ledger(store: self).report(options)
    }
}
