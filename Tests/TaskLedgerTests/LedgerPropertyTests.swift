import GRDB
import PropertyBased
import TaskLedgerTestSupport
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

/// "write = replay = verify": for random event sequences, the live write path keeps snapshots
/// equal to what history rebuilds, applies at most one terminal event per task, and is
/// deterministic (the same sequence into a fresh ledger stores the same rows).
struct LedgerPropertyTests {
    /// Canonical states, some aliases in producers' spellings, and one state the rules do not know.
    static let statePool = JudgeTests.canonical + ["done", "in progress", "Pending", "canceled", "timeout", "retry", "new", "whatever"]

    static let events = zip(
        Gen.int(in: 0...2),  // task
        Gen.int(in: 0...(statePool.count - 1)),  // state
        Gen.int64(in: 0...30),  // ts, seconds: small range so equal and earlier ts are common
        Gen.int(in: 0...7),  // id: none, or one of a few so ids repeat
        Gen.int(in: 0...1)  // actor
    ).map { task, state, ts, id, actor in
        event(
            "task-\(task)", statePool[state], at(ts), id: id < 3 ? nil : "e\(id)",
            actor: actor == 0 ? "" : "worker")
    }.array(of: 0...40)

    static func write(_ sequence: [StatusEvent], to path: String) throws -> (SQLiteLedger, [Verdict]) {
        let ledger = try SQLiteLedger(path: path)
        return (ledger, try sequence.map { try ledger.write($0) })
    }

    static func dump(_ path: String) throws -> [[Row]] {
        try DatabaseQueue(path: path).read { db in
            try ["task_events ORDER BY seq", "task_state_snapshot ORDER BY task", "import_rejects ORDER BY id"].map {
                try Row.fetchAll(db, sql: "SELECT * FROM \($0)")
            }
        }
    }

    @Test func liveWritesKeepSnapshotsEqualToReplayedHistory() async {
        await propertyCheck(count: 60, input: Self.events) { sequence in
            let dir = try TempDirectory()
            let (ledger, verdicts) = try Self.write(sequence, to: dir.path("l.db"))
            let report = try ledger.verify()
            #expect(report.isClean, "\(report.differences) \(report.problems)")
            #expect(report.events == verdicts.filter(\.isStoredAsEvent).count)
            let doubleTerminal = try DatabaseQueue(path: ledger.path).read { db in
                try String.fetchAll(db, sql: """
                    SELECT task FROM task_events
                    WHERE verdict IN ('applied', 'out_of_order') AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
                    GROUP BY task HAVING count(*) > 1
                    """)
            }
            #expect(doubleTerminal.isEmpty)
        }
    }

    @Test func replayingTheSameSequenceIntoAFreshLedgerStoresTheSameRows() async {
        await propertyCheck(count: 40, input: Self.events) { sequence in
            let dir = try TempDirectory()
            let (_, first) = try Self.write(sequence, to: dir.path("first.db"))
            let (_, second) = try Self.write(sequence, to: dir.path("second.db"))
            #expect(first == second)
            let a = try Self.dump(dir.path("first.db"))
            let b = try Self.dump(dir.path("second.db"))
            #expect(a[0] == b[0], "task_events")
            #expect(a[1] == b[1], "task_state_snapshot")
            #expect(a[2] == b[2], "import_rejects")
        }
    }

    @Test func verdictsOfARandomSequenceMatchAReferenceModel() async {
        await propertyCheck(count: 60, input: Self.events) { sequence in
            let dir = try TempDirectory()
            let (_, verdicts) = try Self.write(sequence, to: dir.path("l.db"))
            #expect(verdicts == ReferenceModel.verdicts(sequence))
        }
    }
}

/// A second, deliberately naive reading of SPEC §3/§4/§7 to compare the ledger against.
enum ReferenceModel {
    static func verdicts(_ sequence: [StatusEvent]) -> [Verdict] {
        let allowed: [String: Set<String>] = [
            "RECEIVED": ["RECEIVED", "QUEUED", "RUNNING", "CANCELLED", "FAILED"],
            "QUEUED": ["QUEUED", "RUNNING", "CANCELLED", "FAILED", "TIMED_OUT"],
            "RUNNING": ["RUNNING", "WAITING", "RETRYING", "SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"],
            "WAITING": ["WAITING", "RUNNING", "CANCELLED", "FAILED", "TIMED_OUT"],
            "RETRYING": ["RETRYING", "QUEUED", "RUNNING", "FAILED", "CANCELLED"],
        ]
        let terminal: Set = ["SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"]
        let spellings = [
            "done": "SUCCEEDED", "in progress": "RUNNING", "Pending": "QUEUED", "canceled": "CANCELLED",
            "timeout": "TIMED_OUT", "retry": "RETRYING", "new": "RECEIVED",
        ]
        var ids = Set<String>()
        var contents = Set<[String]>()
        var state: [String: String] = [:]
        var last: [String: Int64] = [:]
        return sequence.map { e in
            let canonical = spellings[e.state] ?? (allowed[e.state] != nil || terminal.contains(e.state) ? e.state : nil)
            let content = [e.task, canonical ?? e.state, String(e.timestamp), e.actor, e.source, e.stage, e.detail]
            if let id = e.id {
                if ids.contains(id) { return .duplicate }
            } else if contents.contains(content) {
                return .duplicate
            }
            if let id = e.id { ids.insert(id) } else { contents.insert(content) }
            guard let to = canonical else { return .unknownState }
            guard let from = state[e.task] else {
                guard to == "RECEIVED" || to == "QUEUED" else { return .illegalTransition }
                state[e.task] = to
                last[e.task] = e.timestamp
                return .applied
            }
            if terminal.contains(from) { return .afterTerminal }
            guard allowed[from]!.contains(to) else { return .illegalTransition }
            state[e.task] = to
            let earlier = e.timestamp < last[e.task]!
            last[e.task] = max(last[e.task]!, e.timestamp)
            return earlier ? .outOfOrder : .applied
        }
    }
}
