import Foundation
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

/// The observable content of a ledger, for comparing two ledgers.
struct LedgerContent: Equatable {
    var events: [[String]]
    var snapshots: [[String]]
    var rejects: [[String]]
    var checkpoints: [[String]]

    init(path: String, eventColumns: String = "seq, task, state, verdict, from_state, ts, event_id, content_key, actor, source, stage, detail, attrs, file, line") throws {
        let queue = try DatabaseQueue(path: path)
        func rows(_ sql: String) throws -> [[String]] {
            try queue.read { db in
                try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map { $0.description } }
            }
        }
        events = try rows("SELECT \(eventColumns) FROM task_events ORDER BY seq")
        snapshots = try rows("SELECT * FROM task_state_snapshot ORDER BY task")
        rejects = try rows("SELECT file, line, kind, task, from_state, to_state, ts, event_id, message, raw FROM import_rejects ORDER BY id")
        checkpoints = try rows("SELECT path, head_hash, head_length, offset, lines, compressed FROM import_files ORDER BY path")
    }
}
