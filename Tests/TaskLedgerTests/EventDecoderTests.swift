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

/// Decodes `line` with the default mapping (or `mapping`).
func decodeLine(_ line: String, mapping: FieldMapping = .init()) -> Result<StatusEvent, LineReject> {
    EventDecoder(mapping: mapping).decode(line)
}

/// Decodes raw bytes, for lines that are not valid UTF-8.
func decodeBytes(_ bytes: [UInt8]) -> Result<StatusEvent, LineReject> {
    bytes.withUnsafeBytes { EventDecoder().decode($0) }
}

extension Result {
    var event: Success? { try? get() }
    var reject: Failure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}

// t0 (2026-11-24T10:00:00Z in epoch ms) is defined in ReportTestsSupport.swift.

@Suite struct EventDecoderTests {
    @Test func aTypicalLineBecomesAnEvent() throws {
        let line = #"{"task":"t1","state":"RUNNING","ts":"2026-11-24T10:00:00Z","id":"e1","#
            + #""actor":"w1","source":"ci","stage":"build","detail":"ok","extra":1}"#
        let event = try #require(decodeLine(line).event)
        #expect(
            event
                == StatusEvent(
                    task: "t1", state: "RUNNING", timestamp: t0, id: "e1", actor: "w1",
                    source: "ci", stage: "build", detail: "ok", attrs: #"{"extra":1}"#))
    }

    @Test func optionalFieldsDefaultToEmptyAndIdToNil() throws {
        let event = try #require(decodeLine(#"{"task":"t","state":"s","ts":0}"#).event)
        #expect(event == StatusEvent(task: "t", state: "s", timestamp: 0))
        #expect(event.attrs == nil)
    }

    @Test(arguments: [
        (#"{"task":"a","state":"s","ts":0}"#, "a"),
        (#"{"task_id":"b","state":"s","ts":0}"#, "b"),
        (#"{"req":"c","state":"s","ts":0}"#, "c"),
        (#"{"req":"c","task_id":"b","task":"a","state":"s","ts":0}"#, "a"),
        (#"{"req":"c","task_id":"b","state":"s","ts":0}"#, "b"),
    ])
    func taskKeysFallBackInTableOrderNotObjectOrder(line: String, task: String) {
        #expect(decodeLine(line).event?.task == task)
    }

    @Test(arguments: [
        (#"{"task":"t","state":"a","ts":0}"#, "a"),
        (#"{"task":"t","status":"b","ts":0}"#, "b"),
        (#"{"task":"t","status":"b","state":"a","ts":0}"#, "a"),
    ])
    func stateKeysFallBack(line: String, state: String) {
        #expect(decodeLine(line).event?.state == state)
    }

    @Test(arguments: [
        (#"{"task":"t","state":"s","ts":1}"#, Int64(1000)),
        (#"{"task":"t","state":"s","timestamp":2}"#, 2000),
        (#"{"task":"t","state":"s","time":3}"#, 3000),
        (#"{"task":"t","state":"s","time":3,"timestamp":2,"ts":1}"#, 1000),
        (#"{"task":"t","state":"s","time":3,"timestamp":2}"#, 2000),
    ])
    func timestampKeysFallBack(line: String, ms: Int64) {
        #expect(decodeLine(line).event?.timestamp == ms)
    }

    @Test(arguments: [
        (#"{"task":"t","state":"s","ts":0,"id":"a"}"#, "a"),
        (#"{"task":"t","state":"s","ts":0,"event_id":"b"}"#, "b"),
        (#"{"task":"t","state":"s","ts":0,"event_id":"b","id":"a"}"#, "a"),
        (#"{"task":"t","state":"s","ts":0,"id":null,"event_id":"b"}"#, "b"),
    ])
    func idKeysFallBack(line: String, id: String) {
        #expect(decodeLine(line).event?.id == id)
    }

    @Test(arguments: [
        #"{"task":null,"task_id":"x","state":"s","ts":0}"#,
        #"{"task":null,"task_id":null,"req":"x","state":"s","ts":0}"#,
    ])
    func aNullValueCountsAsAbsent(line: String) {
        #expect(decodeLine(line).event?.task == "x")
    }

    @Test func anEmptyStringIsPresent() throws {
        let event = try #require(decodeLine(#"{"task":"","task_id":"x","state":"","ts":0}"#).event)
        #expect(event.task == "")
        #expect(event.state == "")
        #expect(event.attrs == #"{"task_id":"x"}"#)
    }

    @Test func theWinningKeysValueIsUsedEvenWhenItsTypeIsWrong() {
        let reject = decodeLine(#"{"task":true,"task_id":"x","state":"s","ts":0}"#).reject
        #expect(reject?.kind == .badField)
        #expect(reject?.message == "field task is a bool (true): expected a string or an integer")
    }

    @Test(arguments: [
        (#"{"task":7,"state":"s","ts":0}"#, "7"),
        (#"{"task":"7","state":"s","ts":0}"#, "7"),
        (#"{"task":-12,"state":"s","ts":0}"#, "-12"),
        (#"{"task":0,"state":"s","ts":0}"#, "0"),
        (#"{"task":123456789012345678901234567890,"state":"s","ts":0}"#, "123456789012345678901234567890"),
    ])
    func anIntegerTaskIsItsDecimalText(line: String, task: String) {
        #expect(decodeLine(line).event?.task == task)
    }

    @Test(arguments: [
        (#"{"task":"t","state":"s","ts":0,"id":"","actor":"","source":"","stage":"","detail":""}"#, ""),
        (#"{"task":"t","state":"s","ts":0,"id":null,"actor":null}"#, nil),
    ] as [(String, String?)])
    func optionalStringsMayBeEmptyOrNull(line: String, id: String?) throws {
        let event = try #require(decodeLine(line).event)
        #expect(event.id == id)
        #expect(event.actor == "")
    }

    @Test func escapedStringsAreUnescaped() throws {
        let line = #"{"task":"a\"b\\c\/d\u00e9\ud83d\ude00\n","state":"s\u0001t","ts":0}"#
        let event = try #require(decodeLine(line).event)
        #expect(event.task == "a\"b\\c/dé😀\n")
        #expect(event.state == "s\u{1}t")
    }

    @Test func escapedKeysMatchTheirUnescapedNames() throws {
        let event = try #require(decodeLine(#"{"t\u0061sk":"x","st\u0061te":"s","\u0074s":0}"#).event)
        #expect(event.task == "x")
        #expect(event.attrs == nil)
    }
}
