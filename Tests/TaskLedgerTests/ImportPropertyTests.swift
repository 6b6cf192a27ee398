import Foundation
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

/// "import = replay = verify": importing any sequence of lines stores exactly what live writes
/// of its decodable lines store, whatever the batch size, and verify stays clean.
struct ImportPropertyTests {
    static let badLines = ["not json", #"{"task":"task-0"}"#, #"{"task":1.5,"state":"QUEUED","ts":0}"#,
                           #"{"task":"task-1","state":"QUEUED","ts":"yesterday"}"#, "", "   "]

    /// A line: an event (as JSON) most of the time, sometimes a bad or blank line.
    static let lines = zip(LedgerPropertyTests.events, Gen.int(in: 0...(badLines.count * 4))).map { events, bad in
        (events, bad)
    }

    static func json(_ e: StatusEvent) -> String {
        var fields: [String: Any] = ["task": e.task, "state": e.state, "ts": Timestamp.format(e.timestamp)]
        if let id = e.id { fields["id"] = id }
        if !e.actor.isEmpty { fields["actor"] = e.actor }
        let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func importOfAnySequenceEqualsLiveWritesOfItsDecodableLines() async {
        await propertyCheck(count: 40, input: Self.lines, Gen.int(in: 1...7)) { generated, batchSize in
            let (events, badChoice) = generated
            var text: [String] = events.map(Self.json)
            if badChoice < Self.badLines.count, !text.isEmpty {
                text.insert(Self.badLines[badChoice], at: badChoice % text.count)
            }
            let dir = try TempDirectory()
            let file = try dir.write("events.jsonl", text.joined(separator: "\n") + "\n")
            let imported = try SQLiteLedger(path: dir.path("imported.db"))
            _ = try Importer(ledger: imported, batchSize: batchSize).importFile(file)
            let live = try SQLiteLedger(path: dir.path("live.db"))
            for line in text {
                if case .success(let event) = EventDecoder().decode(line) { try live.write(event) }
            }
            let columns = "seq, task, state, verdict, from_state, ts, event_id, content_key, actor, source, stage, detail, attrs"
            let a = try LedgerContent(path: imported.path, eventColumns: columns)
            let b = try LedgerContent(path: live.path, eventColumns: columns)
            #expect(a.events == b.events)
            #expect(a.snapshots == b.snapshots)
            #expect(try imported.verify().isClean)
        }
    }
}
