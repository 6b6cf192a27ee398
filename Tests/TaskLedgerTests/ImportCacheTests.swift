import Foundation
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

@Suite("Import caches: skip a probe only when the answer is certain")
struct ImportCacheTests {
    /// A cache that did not start an import (a live write) believes no filter: every event's
    /// dedupe key is looked up.
    @Test func aCacheThatStartedNoImportBelievesNoFilter() throws {
        let dir = try TempDirectory()
        let ledger = try SQLiteLedger(path: dir.path("l.sqlite"))
        let cache = SnapshotCache()
        #expect(!cache.believesMaybeSeen)
        try ledger.writeTransaction { db in try cache.validate(db) }
        #expect(!cache.believesMaybeSeen)
    }

    @Test func aCompleteFilterFindsEveryAddedKeyAndRejectsMostOthers() {
        let filter = DedupeFilter(bits: 1 << 16)
        for i in 0..<2_000 { filter.add(.id("id-\(i)")) }
        for i in 0..<2_000 { filter.add(.content(Int64(i) &* 0x9E37_79B9)) }
        #expect((0..<2_000).allSatisfy { filter.mayContain(.id("id-\($0)")) })
        #expect((0..<2_000).allSatisfy { filter.mayContain(.content(Int64($0) &* 0x9E37_79B9)) })
        let falsePositives = (0..<10_000).filter { filter.mayContain(.id("other-\($0)")) }.count
        // 4,000 keys, 65,536 bits, 5 bits per key in one block: about 0.1% expected.
        #expect(falsePositives < 60)
    }

    /// A filter sized for what it will hold: 64 bits per key and expected line, at least 2^16,
    /// at most the size without a line count (8 MiB, 16 MiB above 4M keys).
    @Test func aSmallLedgerAndImportGetASmallFilterABigOneTheFixedSize() {
        #expect(DedupeFilter.bits(forKeys: 0, lines: 46) == 1 << 16)
        #expect(DedupeFilter.bits(forKeys: 1_000, lines: 24) == 1 << 16)  // 1024 × 64 = 2^16
        #expect(DedupeFilter.bits(forKeys: 1_000, lines: 25) == 1 << 17)
        #expect(DedupeFilter.bits(forKeys: 0, lines: 600_000) == 1 << 26)
        #expect(DedupeFilter.bits(forKeys: 0, lines: 3_400_000) == 1 << 26)
        #expect(DedupeFilter.bits(forKeys: 5_000_000, lines: 10) == 1 << 27)
        #expect(DedupeFilter.bits(forKeys: 5_000_000, lines: .max) == 1 << 27)
        #expect(DedupeFilter.bits(forKeys: 200, lines: nil) == 1 << 26)
    }

    /// At the load of night 8 of bench/nightly (8.9M keys: 0.13 keys per bit of 8 MiB, 0.07 of
    /// 16 MiB), scaled down: the larger size a big ledger gets cuts false positives (each an SQL
    /// probe) by more than ten.
    @Test func aLedgerOfMoreThan4MKeysGetsTheLargerFilterWithFarFewerFalsePositives() {
        #expect(DedupeFilter.bits(forKeys: 1_000_000) == 1 << 26 && DedupeFilter.bits(forKeys: 4_000_000) == 1 << 26)
        #expect(DedupeFilter.bits(forKeys: 4_000_001) == 1 << 27 && DedupeFilter.bits(forKeys: 16_000_000) == 1 << 27)
        func falsePositives(bits: Int) -> Int {
            let filter = DedupeFilter(bits: bits)
            for i in 0..<140_000 { filter.add(.id("id-\(i)")) }
            #expect((0..<140_000).allSatisfy { filter.mayContain(.id("id-\($0)")) })
            return (0..<20_000).filter { filter.mayContain(.id("other-\($0)")) }.count
        }
        let small = falsePositives(bits: 1 << 20), large = falsePositives(bits: 1 << 21)
        // Expected about 2.8% (560) and 0.2% (40) of 20,000.
        #expect(small > 300 && small < 800, "\(small)")
        #expect(large < 120, "\(large)")
    }

    /// Once another connection commits, the filter is not believed any more (its "absent" may
    /// be wrong: it never saw the other writer's keys); our own commits keep it believed.
    @Test func anotherConnectionsCommitStopsBelievingTheFilter() throws {
        let dir = try TempDirectory()
        let ledger = try SQLiteLedger(path: dir.path("l.sqlite"))
        let other = try SQLiteLedger(path: dir.path("l.sqlite"))
        let cache = SnapshotCache()
        let filter = try #require(try ledger.writeTransaction { db in try cache.start(db) })
        #expect(!filter.mayContain(.id("a")))
        try ledger.writeTransaction { db in
            try cache.validate(db)
            try db.execute(sql: "INSERT INTO import_files VALUES ('x', 0, 0, 0, 0, 0, 0)")
            try cache.commit(db)
        }
        try ledger.writeTransaction { db in try cache.validate(db) }
        #expect(cache.believesMaybeSeen)
        try other.write(event("a", "QUEUED", at(0), id: "a"))
        try ledger.writeTransaction { db in try cache.validate(db) }
        #expect(!cache.believesMaybeSeen)
    }

    /// The reading thread asks its filter before adding: the first sight of a key is certainly
    /// new, a second one (same id, or same content without id) is maybe seen.
    @Test func preparedEventsAskTheReadersFilterThenAddToIt() {
        let filter = DedupeFilter(bits: 1 << 16)
        let withID = StatusEvent(task: "a", state: "QUEUED", timestamp: at(0), id: "e1")
        let sameIDOtherTask = StatusEvent(task: "b", state: "RUNNING", timestamp: at(5), id: "e1")
        let noID = StatusEvent(task: "a", state: "queued", timestamp: at(0), actor: "w")
        let sameContent = StatusEvent(task: "a", state: "QUEUED", timestamp: at(0), actor: "w")
        #expect(!PreparedEvent(withID, rules: .standard, seen: filter).maybeSeen)
        #expect(PreparedEvent(sameIDOtherTask, rules: .standard, seen: filter).maybeSeen)
        #expect(!PreparedEvent(noID, rules: .standard, seen: filter).maybeSeen)
        // Same content once the state is canonical: "queued" and "QUEUED" are one event.
        #expect(PreparedEvent(sameContent, rules: .standard, seen: filter).maybeSeen)
        // Without a filter (live writes, imports into a non-empty ledger) every event is looked up.
        #expect(PreparedEvent(withID, rules: .standard).maybeSeen)
    }

    /// The writer binds an event's text where PreparedEvent packed it: every column must read
    /// back as the event's value, "" as empty (not NULL), a missing id or attrs as NULL.
    @Test func preparedEventsPackEveryTextColumn() {
        func read(_ p: PreparedEvent, _ c: PreparedEvent.Column) -> String? {
            p.text(c).map { String(decoding: UnsafeRawBufferPointer(start: $0.bytes, count: Int($0.count)), as: UTF8.self) }
        }
        let full = StatusEvent(
            task: "tâche-42", state: " in progress ", timestamp: at(0), id: "e-\u{1F600}", actor: "worker with a long name, longer than fifteen bytes",
            source: "", stage: "build", detail: "a \"quoted\" detail\twith a tab", attrs: #"{"k":[1,2]}"#)
        let p = PreparedEvent(full, rules: .standard)
        #expect(read(p, .task) == "tâche-42")
        #expect(read(p, .storedState) == "RUNNING")
        #expect(read(p, .id) == "e-\u{1F600}")
        #expect(read(p, .actor) == "worker with a long name, longer than fifteen bytes")
        #expect(read(p, .source) == "")
        #expect(p.text(.source) != nil)
        #expect(read(p, .stage) == "build")
        #expect(read(p, .detail) == "a \"quoted\" detail\twith a tab")
        #expect(read(p, .attrs) == #"{"k":[1,2]}"#)
        let bare = PreparedEvent(StatusEvent(task: "t", state: "exploded", timestamp: at(0)), rules: .standard)
        #expect(bare.text(.id) == nil)
        #expect(bare.text(.attrs) == nil)
        #expect(read(bare, .storedState) == "exploded")
        #expect(read(bare, .actor) == "")
    }

    @Test func anIDsKeyFromStoredBytesEqualsItsKeyFromTheDecodedString() {
        for id in ["", "a3e3b9b2-1", "tâche", "550e8400-e29b-41d4-a716-446655440000"] {
            var copy = id
            let fromBytes = copy.withUTF8 { DedupeFilter.Key.id(bytes: UnsafeRawBufferPointer($0)) }
            #expect(fromBytes.value == DedupeFilter.Key.id(id).value, "\(id)")
        }
    }

    /// A ledger over the limit gets no filter (every line is looked up); up to it, the filter
    /// holds every stored key, by id and by content.
    @Test func startFillsTheFilterWithTheLedgersKeys() throws {
        let dir = try TempDirectory()
        let ledger = try SQLiteLedger(path: dir.path("l.sqlite"))
        try ledger.write(event("a", "QUEUED", at(0), id: "stored-id"))
        try ledger.write(event("b", "QUEUED", at(0), actor: "w"))
        let cache = SnapshotCache()
        let filter = try #require(try ledger.writeTransaction { db in try cache.start(db) })
        #expect(cache.believesMaybeSeen)
        #expect(filter.mayContain(.id("stored-id")))
        let b = PreparedEvent(event("b", "queued", at(0), actor: "w"), rules: .standard)
        #expect(filter.mayContain(b.dedupeKey))
        let new = (0..<1000).filter { filter.mayContain(.id("new-\($0)")) }.count
        #expect(new < 10)
        let overLimit = SnapshotCache()
        #expect(try ledger.writeTransaction { db in try overLimit.start(db, filterLimit: 1) } == nil)
        #expect(!overLimit.believesMaybeSeen)
        let resumed = SnapshotCache()
        #expect(try ledger.writeTransaction { db in try resumed.start(db, loadingKeys: false) } == nil)
        #expect(!resumed.believesMaybeSeen)
        // An empty ledger has no keys to load: a filter either way.
        let empty = try SQLiteLedger(path: dir.path("empty.sqlite"))
        #expect(try empty.writeTransaction { db in try SnapshotCache().start(db, loadingKeys: false) } != nil)
    }

    /// SPEC §4's verdict names, in its order: what the write path binds into `task_events.verdict`.
    @Test func verdictsAreBoundAsTheirSpecNames() {
        let spec = ["malformed", "missing_field", "bad_field", "bad_timestamp", "duplicate", "unknown_state",
                    "after_terminal", "illegal_transition", "out_of_order", "applied"]
        let bound = Verdict.allCases.map { verdict in
            let name = verdict.storedName
            return String(decoding: UnsafeRawBufferPointer(start: name.bytes, count: Int(name.count)), as: UTF8.self)
        }
        #expect(bound == spec)
        #expect(Verdict.allCases.map { strlen($0.storedName.bytes) } == spec.map { $0.utf8.count })
    }

    /// The filter starts on an empty ledger; a commit by another connection between two batches
    /// must end it, or the import would take the other writer's events for new ones.
    @Test func aDuplicateOfAnEventWrittenByAnotherWriterDuringTheImportIsCaught() throws {
        let run = try importWhileAnotherWriterWrites(
            lines: [
                #"{"task":"a","state":"QUEUED","ts":"2026-11-24T10:00:00Z","id":"1"}"#,
                #"{"task":"a","state":"RUNNING","ts":"2026-11-24T10:01:00Z","id":"2"}"#,
                #"{"task":"b","state":"QUEUED","ts":"2026-11-24T10:02:00Z","id":"late"}"#,
                #"{"task":"c","state":"QUEUED","ts":"2026-11-24T10:03:00Z","actor":"w"}"#,
            ],
            // The same events as lines 3 and 4.
            others: [
                event("b", "QUEUED", Timestamp.parseRFC3339("2026-11-24T10:02:00Z")!, id: "late"),
                event("c", "QUEUED", Timestamp.parseRFC3339("2026-11-24T10:03:00Z")!, actor: "w"),
            ])
        #expect(run.summary.verdicts[.duplicate] == 2)
        #expect(run.summary.verdicts[.applied] == 2)
        #expect(try run.ledger.history(task: "b").count == 1)
        #expect(try run.ledger.history(task: "c").count == 1)
        #expect(try run.ledger.verify().isClean)
    }

    /// Into a non-empty ledger, the reader's filter starts with the ledger's keys, and a line
    /// that may be a duplicate is looked up without inserting the queue of judged events first —
    /// unless one of them has the same dedupe key: duplicates of earlier live writes and of a
    /// line a few lines earlier (still queued) must be found, by id and by content.
    @Test func intoANonEmptyLedgerADuplicateOfAStillQueuedEventIsCaught() throws {
        let dir = try TempDirectory()
        let ledger = try SQLiteLedger(path: dir.path("l.sqlite"))
        try ledger.write(event("old", "QUEUED", at(0), id: "old-1"))
        try ledger.write(event("c0", "QUEUED", at(0), actor: "w"))
        var lines = (0..<10).map { #"{"task":"t\#($0)","state":"QUEUED","ts":"2026-11-24T10:00:00Z","id":"q\#($0)"}"# }
        lines.append(#"{"task":"t3","state":"RUNNING","ts":"2026-11-24T10:01:00Z","id":"q3"}"#)  // id of line 4
        lines.append(#"{"task":"c","state":"QUEUED","ts":"2026-11-24T10:02:00Z","actor":"w"}"#)
        lines.append(#"{"task":"c","state":"queued","ts":"2026-11-24T10:02:00Z","actor":"w"}"#)  // line 12 again
        lines.append(#"{"task":"old","state":"RUNNING","ts":"2026-11-24T10:03:00Z","id":"old-1"}"#)  // the live write's id
        lines.append(#"{"task":"t9","state":"RUNNING","ts":"2026-11-24T10:04:00Z","id":"r9"}"#)
        lines.append(#"{"task":"c0","state":"QUEUED","ts":"2026-01-01T00:00:00Z","actor":"w"}"#)  // the id-less live write
        let file = try dir.write("events.jsonl", lines.joined(separator: "\n") + "\n")
        let summary = try Importer(ledger: ledger).importFile(file)
        #expect(summary.verdicts[.duplicate] == 4)
        #expect(summary.verdicts[.applied] == 12)
        #expect(try ledger.history(task: "c0").count == 1)
        #expect(try ledger.history(task: "t3").map(\.state) == ["QUEUED"])
        #expect(try ledger.history(task: "c").count == 1)
        #expect(try ledger.history(task: "old").map(\.state) == ["QUEUED"])
        #expect(try ledger.history(task: "t9").map(\.state) == ["QUEUED", "RUNNING"])
        #expect(try ledger.verify().isClean)
    }

    /// An import into an empty ledger knows every snapshot; a task another writer starts
    /// between two batches must still be read from the ledger.
    @Test func aTaskAnotherWriterFinishedDuringTheImportIsJudgedByItsSnapshot() throws {
        let run = try importWhileAnotherWriterWrites(
            lines: [
                #"{"task":"a","state":"QUEUED","ts":"2026-11-24T10:00:00Z"}"#,
                #"{"task":"a","state":"RUNNING","ts":"2026-11-24T10:01:00Z"}"#,
                #"{"task":"z","state":"QUEUED","ts":"2026-11-24T10:05:00Z"}"#,
            ],
            others: [event("z", "QUEUED", at(0)), event("z", "RUNNING", at(30)), event("z", "SUCCEEDED", at(60))])
        #expect(run.summary.verdicts[.afterTerminal] == 1)
        #expect(try run.ledger.snapshot(task: "z")?.state == "SUCCEEDED")
        #expect(try run.ledger.verify().isClean)
    }

    /// Imports `lines` into a new ledger in 2-line batches; once the first batch has committed, a
    /// second connection writes `others` live.
    private func importWhileAnotherWriterWrites(
        lines: [String], others: [StatusEvent]
    ) throws -> (directory: TempDirectory, ledger: SQLiteLedger, summary: ImportSummary) {
        let dir = try TempDirectory()
        let file = try dir.write("events.jsonl", lines.joined(separator: "\n") + "\n")
        let importing = try SQLiteLedger(path: dir.path("l.sqlite"))
        let other = try SQLiteLedger(path: dir.path("l.sqlite"))
        var batches = 0
        var failure: (any Error)?
        let summary = try Importer(ledger: importing, batchSize: 2).importFile(file, progress: { _ in
            batches += 1
            guard batches == 1 else { return }
            do {
                for e in others { try other.write(e) }
            } catch {
                failure = error
            }
        })
        if let failure { throw failure }
        return (dir, importing, summary)
    }

    /// A stream with more tasks than the cache holds evicts it (for flat memory) and must give
    /// the same ledger as one that fits.
    @Test func anImportWithMoreTasksThanTheCacheHoldsGivesTheSameLedger() throws {
        let dir = try TempDirectory()
        let file = dir.path("stream.jsonl")
        try StreamGenerator(tasks: 300, seed: 5, violationRate: 0.05).write(toPath: file)
        _ = try Importer(ledger: try SQLiteLedger(path: dir.path("roomy.sqlite")), batchSize: 200).importFile(file)
        let tight = try SQLiteLedger(path: dir.path("tight.sqlite")).importing(cacheCapacity: 10)
        _ = try Importer(ledger: tight, batchSize: 200).importFile(file)
        let roomy = try LedgerContent(path: dir.path("roomy.sqlite"))
        let evicting = try LedgerContent(path: dir.path("tight.sqlite"))
        #expect(roomy.events.count > 2_000)
        #expect(roomy.events == evicting.events)
        #expect(roomy.snapshots == evicting.snapshots)
        #expect(roomy.rejects == evicting.rejects)
    }
}
