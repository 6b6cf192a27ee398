import GRDB
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

/// SPEC §4 and §7 through the one write path, `SQLiteLedger.write`, against a real SQLite file:
/// what each verdict stores in `task_events` / `import_rejects` and what it does to the snapshot.
struct LedgerWriteTests {
    @Test func appliedEventIsStoredAndStartsTheSnapshot() throws {
        let f = try LedgerFixture()
        let verdict = try f.ledger.write(
            event("t1", "received", at(0), id: "e1", actor: "alice", source: "ci", stage: "build",
                  detail: "queued by push", attrs: #"{"attempt":1}"#))
        #expect(verdict == .applied)
        let stored = try f.ledger.history(task: "t1")
        #expect(stored == [
            RecordedEvent(
                seq: 1, task: "t1", state: "RECEIVED", verdict: .applied, fromState: nil, timestamp: at(0),
                id: "e1", actor: "alice", source: "ci", stage: "build", detail: "queued by push",
                attrs: #"{"attempt":1}"#, file: "", line: nil),
        ])
        #expect(try f.ledger.snapshot(task: "t1") == Snapshot(
            task: "t1", state: "RECEIVED", stage: "build", actor: "alice", source: "ci",
            firstTimestamp: at(0), lastTimestamp: at(0), terminalTimestamp: nil))
        #expect(try f.count("import_rejects") == 0)
    }

    @Test func aliasIsStoredAsItsCanonicalState() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "Submitted", at(0)))
        try f.ledger.write(event("t", "in-progress", at(1)))
        try f.ledger.write(event("t", " ok ", at(2)))
        #expect(try f.ledger.history(task: "t").map(\.state) == ["RECEIVED", "RUNNING", "SUCCEEDED"])
        #expect(try f.ledger.history(task: "t").map(\.verdict) == [.applied, .applied, .applied])
        #expect(try f.ledger.snapshot(task: "t")?.state == "SUCCEEDED")
    }

    @Test func unknownStateIsRecordedWithItsRawStringButNotApplied() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(0)))
        let before = try f.ledger.snapshot(task: "t")
        #expect(try f.ledger.write(event("t", " Half-Baked ", at(5), actor: "bob")) == .unknownState)
        let last = try #require(try f.ledger.history(task: "t").last)
        #expect(last.verdict == .unknownState)
        #expect(last.state == " Half-Baked ")
        #expect(last.fromState == "RECEIVED")
        #expect(try f.ledger.snapshot(task: "t") == before)
    }

    @Test func unknownStateOnANewTaskCreatesNoSnapshot() throws {
        let f = try LedgerFixture()
        #expect(try f.ledger.write(event("t", "", at(0))) == .unknownState)
        #expect(try f.ledger.write(event("t", "ｄｏｎｅ", at(0))) == .unknownState)
        #expect(try f.ledger.history(task: "t").map(\.state) == ["", "ｄｏｎｅ"])
        #expect(try f.ledger.history(task: "t").map(\.fromState) == [nil, nil])
        #expect(try f.ledger.snapshot(task: "t") == nil)
    }

    @Test func eventAfterTerminalIsRecordedButNotApplied() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(0)))
        try f.ledger.write(event("t", "RUNNING", at(1)))
        try f.ledger.write(event("t", "SUCCEEDED", at(2), actor: "w1"))
        let terminal = try f.ledger.snapshot(task: "t")
        #expect(try f.ledger.write(event("t", "RUNNING", at(3), actor: "w2")) == .afterTerminal)
        #expect(try f.ledger.write(event("t", "FAILED", at(4))) == .afterTerminal)
        #expect(try f.ledger.write(event("t", "SUCCEEDED", at(5))) == .afterTerminal)
        let refused = try f.ledger.history(task: "t").suffix(3)
        #expect(refused.map(\.verdict) == [.afterTerminal, .afterTerminal, .afterTerminal])
        #expect(refused.map(\.fromState) == ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"])
        #expect(refused.map(\.state) == ["RUNNING", "FAILED", "SUCCEEDED"])
        #expect(try f.ledger.snapshot(task: "t") == terminal)
        #expect(terminal?.terminalTimestamp == at(2))
    }

    @Test func illegalTransitionIsRecordedButNotApplied() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(0), stage: "s1"))
        let before = try f.ledger.snapshot(task: "t")
        #expect(try f.ledger.write(event("t", "SUCCEEDED", at(1), stage: "s2")) == .illegalTransition)
        let last = try #require(try f.ledger.history(task: "t").last)
        #expect(last.verdict == .illegalTransition)
        #expect(last.state == "SUCCEEDED")
        #expect(last.fromState == "RECEIVED")
        #expect(try f.ledger.snapshot(task: "t") == before)
    }

    @Test func untilATaskHasAnAppliedEventItsNextEventMustBeInitial() throws {
        let f = try LedgerFixture()
        #expect(try f.ledger.write(event("t", "RUNNING", at(0))) == .illegalTransition)
        #expect(try f.ledger.write(event("t", "SUCCEEDED", at(1))) == .illegalTransition)
        #expect(try f.ledger.snapshot(task: "t") == nil)
        #expect(try f.ledger.write(event("t", "PENDING", at(2))) == .applied)
        #expect(try f.ledger.write(event("t", "RUNNING", at(3))) == .applied)
        #expect(try f.ledger.history(task: "t").map(\.fromState) == [nil, nil, nil, "QUEUED"])
    }

    @Test func outOfOrderEventIsAppliedButLastTimestampDoesNotMoveBack() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(10), actor: "a"))
        #expect(try f.ledger.write(event("t", "RUNNING", at(5), actor: "b", stage: "late")) == .outOfOrder)
        #expect(try f.ledger.history(task: "t").last?.verdict == .outOfOrder)
        #expect(try f.ledger.snapshot(task: "t") == Snapshot(
            task: "t", state: "RUNNING", stage: "late", actor: "b", source: "",
            firstTimestamp: at(5), lastTimestamp: at(10)))
    }

    @Test func eventWithTheSameTimestampAsLastIsApplied() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(10)))
        #expect(try f.ledger.write(event("t", "RUNNING", at(10))) == .applied)
        #expect(try f.ledger.write(event("t", "RUNNING", at(10), detail: "heartbeat")) == .applied)
    }

    @Test func applyingAnEventSetsStageActorSourceAndAbsentOnesBecomeEmpty() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(0), actor: "a", source: "s", stage: "g"))
        try f.ledger.write(event("t", "RUNNING", at(1)))
        #expect(try f.ledger.snapshot(task: "t") == Snapshot(
            task: "t", state: "RUNNING", firstTimestamp: at(0), lastTimestamp: at(1)))
    }

    @Test func firstAndLastTimestampsCountOnlyAppliedEvents() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "QUEUED", at(10)))
        #expect(try f.ledger.write(event("t", "RECEIVED", at(1))) == .illegalTransition)
        #expect(try f.ledger.write(event("t", "nonsense", at(100))) == .unknownState)
        #expect(try f.ledger.write(event("t", "RUNNING", at(20))) == .applied)
        #expect(try f.ledger.write(event("t", "WAITING", at(15))) == .outOfOrder)
        #expect(try f.ledger.write(event("t", "RUNNING", at(8))) == .outOfOrder)
        let s = try #require(try f.ledger.snapshot(task: "t"))
        #expect(s.state == "RUNNING")
        #expect(s.firstTimestamp == at(8))
        #expect(s.lastTimestamp == at(20))
        #expect(s.terminalTimestamp == nil)
    }

    @Test func terminalTimestampIsTheTerminalEventsTimestampEvenWhenOutOfOrder() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(0)))
        try f.ledger.write(event("t", "RUNNING", at(10)))
        #expect(try f.ledger.write(event("t", "FAILED", at(5), detail: "oom")) == .outOfOrder)
        #expect(try f.ledger.snapshot(task: "t") == Snapshot(
            task: "t", state: "FAILED", firstTimestamp: at(0), lastTimestamp: at(10), terminalTimestamp: at(5)))
    }

    @Test func atMostOneTerminalEventPerTaskIsApplied() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(0)))
        try f.ledger.write(event("t", "RUNNING", at(1)))
        for (i, state) in ["SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT", "done"].enumerated() {
            try f.ledger.write(event("t", state, at(2 + Int64(i))))
        }
        let applied = try f.ledger.history(task: "t").filter {
            $0.verdict.changesSnapshot && Rules.standard.isTerminal($0.state)
        }
        #expect(applied.map(\.state) == ["SUCCEEDED"])
    }

    @Test func eventsOfOtherTasksDoNotInterfere() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("a", "RECEIVED", at(0)))
        try f.ledger.write(event("a", "RUNNING", at(1)))
        #expect(try f.ledger.write(event("b", "RUNNING", at(2))) == .illegalTransition)
        #expect(try f.ledger.write(event("b", "QUEUED", at(0))) == .applied)
        #expect(try f.ledger.snapshot(task: "a")?.state == "RUNNING")
        #expect(try f.ledger.snapshot(task: "b")?.state == "QUEUED")
    }
}

/// SPEC §4 `duplicate` and §7 "Duplicates": never appended twice, recorded as a reject.
struct LedgerDuplicateTests {
    struct Reject: Equatable {
        var file: String
        var line: Int?
        var kind: String
        var task: String?
        var fromState: String?
        var toState: String?
        var timestamp: Int64?
        var id: String?
    }

    static func rejects(_ f: LedgerFixture) throws -> [Reject] {
        try f.rows("SELECT file, line, kind, task, from_state, to_state, ts, event_id FROM import_rejects ORDER BY id").map {
            Reject(file: $0[0], line: $0[1], kind: $0[2], task: $0[3], fromState: $0[4], toState: $0[5], timestamp: $0[6], id: $0[7])
        }
    }

    @Test func eventWithAnIdAlreadyInTheLedgerIsADuplicateAcrossTasks() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("a", "RECEIVED", at(0), id: "e1"))
        try f.ledger.write(event("b", "RECEIVED", at(0)))
        #expect(try f.ledger.write(event("b", "QUEUED", at(5), id: "e1")) == .duplicate)
        #expect(try f.ledger.history(task: "b").count == 1)
        #expect(try f.ledger.snapshot(task: "b")?.state == "RECEIVED")
        #expect(try Self.rejects(f) == [
            Reject(file: "", line: nil, kind: "duplicate", task: "b", fromState: "RECEIVED", toState: "QUEUED", timestamp: at(5), id: "e1"),
        ])
        let message: String? = try f.rows("SELECT message FROM import_rejects").first?[0]
        #expect(message?.contains("e1") == true)
    }

    @Test func retriedWriteWithTheSameIdIsADuplicateEvenIfTheFirstWasRefused() throws {
        let f = try LedgerFixture()
        #expect(try f.ledger.write(event("t", "RUNNING", at(0), id: "x")) == .illegalTransition)
        #expect(try f.ledger.write(event("t", "RUNNING", at(0), id: "x")) == .duplicate)
        #expect(try f.ledger.write(event("t", "QUEUED", at(9), id: "x", detail: "other content")) == .duplicate)
        #expect(try f.count("task_events") == 1)
        #expect(try f.count("import_rejects") == 2)
        #expect(try f.ledger.snapshot(task: "t") == nil)
    }

    @Test func eventWithoutIdIsADuplicateOfTheSameContentAndLeavesTheSnapshotUnchanged() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(0)))
        try f.ledger.write(event("t", "RUNNING", at(10), actor: "a", source: "s", stage: "g", detail: "d"))
        try f.ledger.write(event("t", "RUNNING", at(20), actor: "z"))
        let before = try f.ledger.snapshot(task: "t")
        // Would be out_of_order (and applied, setting actor "a") if it were not a duplicate.
        #expect(try f.ledger.write(event("t", "started", at(10), actor: "a", source: "s", stage: "g", detail: "d")) == .duplicate)
        #expect(try f.ledger.snapshot(task: "t") == before)
        #expect(try f.count("task_events") == 3)
        #expect(try Self.rejects(f) == [
            Reject(file: "", line: nil, kind: "duplicate", task: "t", fromState: "RUNNING", toState: "RUNNING", timestamp: at(10), id: nil),
        ])
    }

    @Test func extraAttributesDoNotMakeAnEventDifferent() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(0), attrs: #"{"host":"a"}"#))
        #expect(try f.ledger.write(event("t", "RECEIVED", at(0), attrs: #"{"host":"b"}"#)) == .duplicate)
        #expect(try f.ledger.write(event("t", "RECEIVED", at(0))) == .duplicate)
    }

    @Test func unknownStateIsComparedByItsRawString() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "mystery", at(0)))
        #expect(try f.ledger.write(event("t", "mystery", at(0))) == .duplicate)
        #expect(try f.ledger.write(event("t", "MYSTERY", at(0))) == .unknownState)
    }

    static let stored = event("t", "RECEIVED", at(0), actor: "a", source: "s", stage: "g", detail: "d")

    /// Each differs from `stored` in one field that counts, so none is a duplicate.
    @Test(arguments: [
        ("detail", event("t", "RECEIVED", at(0), actor: "a", source: "s", stage: "g", detail: "D")),
        ("actor", event("t", "RECEIVED", at(0), actor: "", source: "s", stage: "g", detail: "d")),
        ("source", event("t", "RECEIVED", at(0), actor: "a", source: "S", stage: "g", detail: "d")),
        ("stage", event("t", "RECEIVED", at(0), actor: "a", source: "s", stage: "", detail: "d")),
        ("ts", event("t", "RECEIVED", at(0) + 1, actor: "a", source: "s", stage: "g", detail: "d")),
        ("state", event("t", "QUEUED", at(0), actor: "a", source: "s", stage: "g", detail: "d")),
        ("task", event("u", "RECEIVED", at(0), actor: "a", source: "s", stage: "g", detail: "d")),
        ("fields shifted", event("t", "RECEIVED", at(0), actor: "as", source: "", stage: "g", detail: "d")),
        ("an id", event("t", "RECEIVED", at(0), id: "new", actor: "a", source: "s", stage: "g", detail: "d")),
    ])
    func eventDifferingInAFieldThatCountsIsNotADuplicate(_ field: String, _ next: StatusEvent) throws {
        let f = try LedgerFixture()
        try f.ledger.write(Self.stored)
        #expect(try f.ledger.write(next) != .duplicate, "differs in \(field)")
        #expect(try f.count("task_events") == 2)
        #expect(try f.count("import_rejects") == 0)
    }

    @Test func eventWithoutIdIsNotADuplicateOfAnEventThatHadAnId() throws {
        let f = try LedgerFixture()
        try f.ledger.write(event("t", "RECEIVED", at(0), id: "e1"))
        #expect(try f.ledger.write(event("t", "RECEIVED", at(0))) == .applied)
    }

    /// Ids' keys and id-less events' content keys share the dedupe tables (v7), so one may equal
    /// the other; neither event is then the other's duplicate, whichever came first, in one
    /// transaction (the key not in the tables yet) or in two.
    @Test(arguments: [false, true], [false, true])
    func anIdWhoseKeyEqualsAnIdlessEventsContentKeyIsNotItsDuplicate(idFirst: Bool, oneTransaction: Bool) throws {
        // A content key hashes task, state, ts (8 bytes, little-endian), actor, source, stage
        // and detail, each text followed by 0x1F; an id hashes its text and 0x1F. The ts
        // 0x3030303030303031 is the bytes "10000000", so this id hashes the event's bytes.
        let ts: Int64 = 0x3030_3030_3030_3031
        let idless = event("t", "RECEIVED", ts)
        let withID = event("u", "RECEIVED", ts, id: "t\u{1F}RECEIVED\u{1F}10000000\u{1F}\u{1F}\u{1F}")
        #expect(DedupeFilter.Key.id(withID.id!).stored == idless.contentKey(state: "RECEIVED"))
        let (first, second) = idFirst ? (withID, idless) : (idless, withID)
        let f = try LedgerFixture()
        if oneTransaction {
            let verdicts = try f.ledger.writeTransaction { db in
                let recorder = try EventRecorder(db: db, rules: f.ledger.rules)
                let verdicts = try [first, second, second, first].map {
                    try recorder.record(PreparedEvent($0, rules: f.ledger.rules), origin: EventOrigin(file: "f", line: 1))
                }
                try recorder.flush()
                return verdicts
            }
            #expect(verdicts == [.applied, .applied, .duplicate, .duplicate])
        } else {
            #expect(try f.ledger.write(first) == .applied)
            #expect(try f.ledger.write(second) == .applied)
            // And each is still its own duplicate.
            #expect(try f.ledger.write(second) == .duplicate)
            #expect(try f.ledger.write(first) == .duplicate)
        }
        #expect(try f.ledger.verify().isClean)
    }
}

@Suite struct LedgerWriteNULTests {
    @Test(arguments: ["task", "state", "actor", "detail"])
    func aLiveWriteWithANULInAFieldIsRefusedAndNothingIsStored(_ field: String) throws {
        let fixture = try LedgerFixture()
        var e = event("t", "QUEUED", at(0))
        switch field {
        case "task": e.task = "t\u{0}x"
        case "state": e.state = "QUEUED\u{0}"
        case "actor": e.actor = "a\u{0}"
        default: e.detail = "\u{0}"
        }
        #expect(throws: LedgerError.invalidEvent("field \(field) contains a NUL character (\\u0000), which the ledger cannot store")) {
            try fixture.ledger.write(e)
        }
        #expect(try fixture.count("task_events") == 0)
    }
}
