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

@Suite struct LineRejectTests {
    @Test(arguments: [
        (#"{"state":"s","ts":0}"#, "missing field task (looked for task, task_id, req)"),
        (#"{"task":null,"state":"s","ts":0}"#, "missing field task (looked for task, task_id, req)"),
        (#"{"task":"t","ts":0}"#, "missing field state (looked for state, status)"),
        (#"{"task":"t","state":"s"}"#, "missing field ts (looked for ts, timestamp, time)"),
        (#"{"task":"t","state":"s","ts":null}"#, "missing field ts (looked for ts, timestamp, time)"),
        (#"{}"#, "missing field task (looked for task, task_id, req)"),
    ])
    func aLineWithoutARequiredFieldIsMissingField(line: String, message: String) {
        let reject = decodeLine(line).reject
        #expect(reject?.kind == .missingField)
        #expect(reject?.message == message)
    }

    @Test(arguments: [
        (#"{"task":1.5,"state":"s","ts":0}"#, "field task is a float (1.5): expected a string or an integer"),
        (#"{"task":1e2,"state":"s","ts":0}"#, "field task is a float (1e2): expected a string or an integer"),
        (#"{"task":false,"state":"s","ts":0}"#, "field task is a bool (false): expected a string or an integer"),
        (#"{"task":{"a":1},"state":"s","ts":0}"#, #"field task is an object ({"a":1}): expected a string or an integer"#),
        (#"{"task":[1],"state":"s","ts":0}"#, "field task is an array ([1]): expected a string or an integer"),
        (#"{"task_id":2.0,"state":"s","ts":0}"#, #"field task (key "task_id") is a float (2.0): expected a string or an integer"#),
        (#"{"task":"t","state":3,"ts":0}"#, "field state is an integer (3): expected a string"),
        (#"{"task":"t","status":true,"ts":0}"#, #"field state (key "status") is a bool (true): expected a string"#),
        (#"{"task":"t","state":"s","ts":true}"#, "field ts is a bool (true): expected an RFC 3339 string or an epoch number"),
        (#"{"task":"t","state":"s","ts":[0]}"#, "field ts is an array ([0]): expected an RFC 3339 string or an epoch number"),
        (#"{"task":"t","state":"s","ts":{}}"#, "field ts is an object ({}): expected an RFC 3339 string or an epoch number"),
        (#"{"task":"t","state":"s","ts":0,"id":5}"#, "field id is an integer (5): expected a string"),
        (#"{"task":"t","state":"s","ts":0,"actor":[]}"#, "field actor is an array ([]): expected a string"),
        (#"{"task":"t","state":"s","ts":0,"source":1.0}"#, "field source is a float (1.0): expected a string"),
        (#"{"task":"t","state":"s","ts":0,"stage":false}"#, "field stage is a bool (false): expected a string"),
        (#"{"task":"t","state":"s","ts":0,"detail":{"x":[1,2]}}"#, #"field detail is an object ({"x":[1,2]}): expected a string"#),
    ])
    func aFieldOfTheWrongTypeIsBadField(line: String, message: String) {
        let reject = decodeLine(line).reject
        #expect(reject?.kind == .badField)
        #expect(reject?.message == message)
    }

    @Test func aLongWrongValueIsShortenedInTheMessage() {
        let long = "[" + Array(repeating: "\"é\"", count: 30).joined(separator: ",") + "]"
        let message = decodeLine(#"{"task":"t","state":"s","ts":0,"actor":\#(long)}"#).reject?.message
        #expect(message?.hasPrefix(#"field actor is an array (["é","é","é","#) == true)
        #expect(message?.hasSuffix("…): expected a string") == true)
    }

    @Test(arguments: [
        (#"{"task":"t","state":"s","ts":"2026-13-01T00:00:00Z"}"#, "ts '2026-13-01T00:00:00Z' is not an RFC 3339 timestamp or epoch number"),
        (#"{"task":"t","state":"s","ts":""}"#, "ts '' is not an RFC 3339 timestamp or epoch number"),
        (#"{"task":"t","state":"s","ts":1e400}"#, "ts 1e400 is not an epoch time in years 0001–9999"),
    ])
    func anUnparseableTimestampIsBadTimestamp(line: String, message: String) {
        let reject = decodeLine(line).reject
        #expect(reject?.kind == .badTimestamp)
        #expect(reject?.message == message)
    }

    @Test func missingFieldComesBeforeBadField() {
        let reject = decodeLine(#"{"task":1.5,"ts":0}"#).reject
        #expect(reject?.kind == .missingField)
        #expect(reject?.message == "missing field state (looked for state, status)")
    }

    @Test func badFieldComesBeforeBadTimestamp() {
        let reject = decodeLine(#"{"task":"t","state":"s","ts":"nope","actor":1}"#).reject
        #expect(reject?.kind == .badField)
        #expect(reject?.timestamp == nil)
    }

    @Test func badFieldsAreReportedInFieldOrder() {
        let reject = decodeLine(#"{"detail":1,"actor":2,"task":"t","state":"s","ts":0}"#).reject
        #expect(reject?.message == "field actor is an integer (2): expected a string")
    }

    @Test func aRejectCarriesTheFieldsTheLineProvidesValidly() {
        let bad = decodeLine(#"{"task":7,"state":"s","ts":"2026-11-24T10:00:00Z","id":"e","actor":1}"#)
        #expect(
            bad.reject
                == LineReject(
                    kind: .badField, message: "field actor is an integer (1): expected a string",
                    task: "7", state: "s", timestamp: t0, id: "e"))
        let missing = decodeLine(#"{"task":1.5,"ts":"2026-11-24T10:00:00Z","id":3}"#).reject
        #expect(missing?.task == nil)
        #expect(missing?.state == nil)
        #expect(missing?.timestamp == t0)
        #expect(missing?.id == nil)
    }

    @Test func aBadTimestampRejectHasNoTimestamp() {
        let reject = decodeLine(#"{"task":"t","state":"s","ts":"yesterday","id":"e"}"#).reject
        #expect(reject == LineReject(
            kind: .badTimestamp,
            message: "ts 'yesterday' is not an RFC 3339 timestamp or epoch number",
            task: "t", state: "s", timestamp: nil, id: "e"))
    }

    @Test func aMalformedRejectHasNoFields() {
        let reject = decodeLine(#"{"task":"t","state":"s","ts":0"#).reject
        #expect(reject == LineReject(kind: .malformed, message: "not JSON: unexpected end of line at byte 31"))
    }
}
