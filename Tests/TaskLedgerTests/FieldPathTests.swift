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

/// Reads `line` with the given dotted paths per field (other fields keep SPEC §2's keys).
func readWithPaths(
    _ line: String, _ paths: [FieldMapping.Field: [String]], only: [LineSelection.Condition] = [],
    source: String? = nil
) throws -> EventDecoder.Reading {
    let mapping = FieldMapping(paths: try paths.mapValues { try $0.map { try FieldPath(parsing: $0) } })
    return EventDecoder(mapping: mapping, selection: LineSelection(only), defaultSource: source).read(line)
}

extension EventDecoder.Reading {
    var event: StatusEvent? { if case .event(let event) = self { event } else { nil } }
    var reject: LineReject? { if case .reject(let reject) = self { reject } else { nil } }
    var isSkipped: Bool { if case .skipped = self { true } else { false } }
}

/// A profile's `fields:`: dotted paths into nested objects, tried in order.
@Suite struct FieldPathTests {
    static let job = #"{"action":"completed","job":{"id":7,"conclusion":"success","completed_at":"2026-11-24T10:05:00Z","started_at":"2026-11-24T10:01:00Z"},"repo":{"full_name":"o/r"}}"#

    @Test func aDottedPathReadsANestedValue() throws {
        let event = try #require(
            try readWithPaths(Self.job, [.task: ["job.id"], .state: ["job.conclusion"], .ts: ["job.started_at"]]).event)
        #expect(event.task == "7")
        #expect(event.state == "success")
        #expect(event.timestamp == 1_795_514_460_000)
    }

    @Test(arguments: [
        // The first present, non-null path wins; the line's key order does not matter.
        (#"{"a":{"s":"late"},"b":"early"}"#, "late"),
        (#"{"b":"early","a":{"s":"late"}}"#, "late"),
        (#"{"a":{"s":null},"b":"early"}"#, "early"),
        (#"{"a":null,"b":"early"}"#, "early"),
        (#"{"a":{},"b":"early"}"#, "early"),
        (#"{"b":"early"}"#, "early"),
        (#"{"a":{"s":""},"b":"early"}"#, ""),
        (#"{"a":{"s":"x","s":"last"},"b":"early"}"#, "last"),
        (#"{"a":{"\u0073":"escaped key"},"b":"early"}"#, "escaped key"),
    ])
    func theFirstPresentNonNullPathWins(members: String, state: String) throws {
        let line = #"{"task":"t","ts":0,"# + members.dropFirst()
        let event = try #require(try readWithPaths(line, [.state: ["a.s", "b"]]).event)
        #expect(event.state == state)
    }

    @Test func allPathsAbsentOrNullIsAMissingFieldNamingThePaths() throws {
        let reject = try #require(
            try readWithPaths(#"{"task":"t","ts":0,"a":{"s":null}}"#, [.state: ["a.s", "b"]]).reject)
        #expect(reject.kind == .missingField)
        #expect(reject.message == "missing field state (looked for a.s, b)")
    }

    @Test func aPathThroughAnArrayIsABadFieldSayingSo() throws {
        let reject = try #require(
            try readWithPaths(#"{"task":"t","ts":0,"steps":[{"name":"x"}],"b":"y"}"#, [.state: ["steps.name", "b"]]).reject)
        #expect(reject.kind == .badField)
        #expect(reject.message == #"field state (path "steps.name"): steps is an array, not an object; paths go through objects only"#)
    }

    @Test func aNestedValueOfTheWrongTypeNamesItsPath() throws {
        let reject = try #require(try readWithPaths(#"{"task":"t","ts":0,"a":{"s":5}}"#, [.state: ["a.s"]]).reject)
        #expect(reject.kind == .badField)
        #expect(reject.message == #"field state (path "a.s") is an integer (5): expected a string"#)
    }

    @Test func epochFloatTimestampsAtAPathAreFlooredExactly() throws {
        let event = try #require(try readWithPaths(#"{"task":"t","s":"x","m":{"t":1795510801.0129999}}"#, [.state: ["s"], .ts: ["m.t"]]).event)
        #expect(event.timestamp == 1_795_510_801_012)
    }

    @Test func anObjectAPathReadsIntoStaysInAttrsWholeButAFieldKeyLeavesIt() throws {
        let event = try #require(
            try readWithPaths(#"{"task":"t","s":"x","ts":0,"m":{"k":"v","o":1}}"#, [.state: ["s"], .actor: ["m.k"]]).event)
        #expect(event.actor == "v")
        #expect(event.attrs == #"{"m":{"k":"v","o":1}}"#)
    }

    @Test(arguments: [
        ("steps[0].name", "path 'steps[0].name' cannot be used: 'steps[0]' is an array index; paths go through objects only, not arrays"),
        ("steps.0.name", "path 'steps.0.name' cannot be used: '0' is an array index; paths go through objects only, not arrays"),
        ("a..b", "path 'a..b' cannot be used: it has an empty key (write keys separated by single dots)"),
        ("a.", "path 'a.' cannot be used: it has an empty key (write keys separated by single dots)"),
        ("a\\", "path 'a\\' cannot be used: it ends with a lone \\"),
    ])
    func unusablePathsAreRefusedWithAClearMessage(path: String, message: String) {
        #expect(throws: FieldPathError.self) { try FieldPath(parsing: path) }
        do {
            _ = try FieldPath(parsing: path)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func aBackslashEscapesADotInAKey() throws {
        let path = try FieldPath(parsing: #"meta.k8s\.io/name"#)
        #expect(path.segments == ["meta", "k8s.io/name"])
        #expect(path.description == #"meta.k8s\.io/name"#)
        let event = try #require(
            try readWithPaths(#"{"task":"t","ts":0,"meta":{"k8s.io/name":"pod-1"},"s":"x"}"#, [.state: ["s"], .actor: [#"meta.k8s\.io/name"#]]).event)
        #expect(event.actor == "pod-1")
    }
}

/// A profile's `only:` and `source:`.
@Suite struct LineSelectionTests {
    static let taskTypes = [LineSelection.Condition(path: FieldPath(key: "type"), patterns: ["task-*"])]

    @Test(arguments: [
        (#"{"type":"task-started","uuid":"u","timestamp":1.5}"#, false),
        (#"{"type":"worker-heartbeat","timestamp":1.5}"#, true),
        (#"{"type":null,"uuid":"u","timestamp":1.5}"#, true),
        (#"{"uuid":"u","timestamp":1.5}"#, true),
        (#"{"type":["task-x"],"uuid":"u","timestamp":1.5}"#, true),
    ])
    func linesFailingOnlyAreSkipped(line: String, skipped: Bool) throws {
        let reading = try readWithPaths(line, [.task: ["uuid"], .state: ["type"]], only: Self.taskTypes)
        #expect(reading.isSkipped == skipped)
    }

    @Test func aLineThatPassesOnlyIsJudgedAsUsual() throws {
        let reading = try readWithPaths(#"{"type":"task-sent","timestamp":1.5}"#, [.task: ["uuid"], .state: ["type"]], only: Self.taskTypes)
        #expect(reading.reject?.kind == .missingField)
    }

    @Test func malformedLinesAreRejectsNotSkipped() throws {
        let reading = try readWithPaths(#"{"type":"worker-heartbeat""#, [.state: ["type"]], only: Self.taskTypes)
        #expect(reading.reject?.kind == .malformed)
    }

    @Test func everyConditionMustHoldAndNumbersMatchByLiteral() throws {
        let only = [
            LineSelection.Condition(path: try FieldPath(parsing: "job.id"), patterns: ["*"]),
            LineSelection.Condition(path: FieldPath(key: "v"), patterns: ["2", "3"]),
        ]
        let paths: [FieldMapping.Field: [String]] = [.task: ["job.id"]]
        #expect(!(try readWithPaths(#"{"job":{"id":9},"v":2,"state":"x","ts":0}"#, paths, only: only).isSkipped))
        #expect(try readWithPaths(#"{"job":{"id":9},"v":4,"state":"x","ts":0}"#, paths, only: only).isSkipped)
        #expect(try readWithPaths(#"{"job":{"id":null},"v":2,"state":"x","ts":0}"#, paths, only: only).isSkipped)
    }

    @Test(arguments: [
        ("task-*", "task-sent", true), ("task-*", "task-", true), ("task-*", "worker-online", false),
        ("*", "", true), ("a?c", "abc", true), ("a?c", "ac", false), ("*-*-x", "a-b-c-x", true),
        ("exact", "exact", true), ("exact", "exactly", false), ("*ed", "task-succeeded", true),
    ])
    func globs(pattern: String, text: String, matches: Bool) {
        #expect(LineSelection.glob(pattern, matches: text) == matches)
    }

    @Test func theProfileSourceIsStampedOnlyWhenTheLineHasNone() throws {
        let paths: [FieldMapping.Field: [String]] = [:]
        let stamped = try #require(try readWithPaths(#"{"task":"t","state":"x","ts":0}"#, paths, source: "celery").event)
        #expect(stamped.source == "celery")
        let own = try #require(try readWithPaths(#"{"task":"t","state":"x","ts":0,"source":"api"}"#, paths, source: "celery").event)
        #expect(own.source == "api")
    }
}
