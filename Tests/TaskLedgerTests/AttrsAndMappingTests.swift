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

/// Keys that are not fields go to `attrs`; `--field` changes which keys are fields.
@Suite struct AttrsTests {
    @Test(arguments: [
        (#"{"task":"t","state":"s","ts":0}"#, nil),
        (#"{"b":1,"task":"t","a":"x","state":"s","ts":0,"c":null}"#, #"{"b":1,"a":"x","c":null}"#),
        (#"{"task":"t","task_id":"u","req":3,"state":"s","status":"z","ts":0,"time":1}"#,
         #"{"task_id":"u","req":3,"status":"z","time":1}"#),
        (#"{"task":null,"task_id":"u","state":"s","ts":0}"#, #"{"task":null}"#),
        (#"{"task":"t","state":"s","ts":0,"id":null,"actor":null}"#, #"{"id":null,"actor":null}"#),
        (#"{ "task":"t", "state":"s", "ts":0, "n" : 1.50e+2 , "o" : {"k": [true, "\u00e9"]} }"#,
         #"{"n":1.50e+2,"o":{"k": [true, "\u00e9"]}}"#),
        (#"{"task":"t","state":"s","ts":0,"q\"k":"v\n"}"#, #"{"q\"k":"v\n"}"#),
        (#"{"task":"t","state":"s","ts":0,"\u0041\/\u00e9\t\u0001":1}"#, #"{"A/é\t\u0001":1}"#),
        (#"{"task":"t","state":"s","ts":0,"":""}"#, #"{"":""}"#),
    ] as [(String, String?)])
    func membersThatAreNotFieldsAreKeptInInputOrder(line: String, attrs: String?) throws {
        let event = try #require(decodeLine(line).event)
        #expect(event.attrs == attrs)
    }

    @Test func theLastOccurrenceOfADuplicateKeyWins() throws {
        let event = try #require(
            decodeLine(#"{"task":"a","state":"s","ts":0,"task":"b","x":1,"y":2,"x":3}"#).event)
        #expect(event.task == "b")
        #expect(event.attrs == #"{"x":3,"y":2}"#)
    }

    @Test func aDuplicateKeyWhoseLastValueIsNullIsAbsent() {
        let reject = decodeLine(#"{"task":"a","state":"s","ts":0,"task":null}"#).reject
        #expect(reject?.kind == .missingField)
    }

    @Test func duplicateKeysWrittenWithDifferentEscapesAreTheSameKey() throws {
        let event = try #require(decodeLine(#"{"task":"a","state":"s","ts":0,"t\u0061sk":"b"}"#).event)
        #expect(event.task == "b")
        #expect(event.attrs == nil)
    }

    @Test func manyMembersWithDuplicatesKeepTheLastValueAtTheFirstPosition() throws {
        let members = (0..<100).map { #""k\#($0 % 40)":\#($0)"# }.joined(separator: ",")
        let event = try #require(decodeLine(#"{"task":"t",\#(members),"state":"s","ts":0}"#).event)
        let expected = (0..<40).map { #""k\#($0)":\#($0 + 80 < 100 ? $0 + 80 : $0 + 40)"# }
        #expect(event.attrs == "{" + expected.joined(separator: ",") + "}")
    }
}

@Suite struct FieldMappingTests {
    @Test func defaultsFollowTheSpecTable() throws {
        let mapping = FieldMapping()
        #expect(mapping.keys(for: .task) == ["task", "task_id", "req"])
        #expect(mapping.keys(for: .state) == ["state", "status"])
        #expect(mapping.keys(for: .ts) == ["ts", "timestamp", "time"])
        #expect(mapping.keys(for: .id) == ["id", "event_id"])
        for field in [FieldMapping.Field.actor, .source, .stage, .detail] {
            #expect(mapping.keys(for: field) == [field.rawValue])
        }
        #expect(try FieldMapping(specs: []) == mapping)
    }

    @Test func aSpecReplacesTheFieldsDefaultKeysAndRepeatsFormAFallbackList() throws {
        let mapping = try FieldMapping(specs: ["task=job_id", "ts=@timestamp", "task=name", "id=a=b"])
        #expect(mapping.keys(for: .task) == ["job_id", "name"])
        #expect(mapping.keys(for: .ts) == ["@timestamp"])
        #expect(mapping.keys(for: .id) == ["a=b"])
        #expect(mapping.keys(for: .state) == ["state", "status"])
    }

    @Test func theDecoderUsesTheMappedKeys() throws {
        let mapping = try FieldMapping(specs: ["task=job_id", "task=name", "ts=@timestamp"])
        let event = try #require(
            decodeLine(
                #"{"task":"old","name":"n","job_id":"j","state":"s","@timestamp":1,"ts":2}"#,
                mapping: mapping
            ).event)
        #expect(event.task == "j")
        #expect(event.timestamp == 1000)
        #expect(event.attrs == #"{"task":"old","name":"n","ts":2}"#)
        let fallback = decodeLine(#"{"name":"n","state":"s","@timestamp":1}"#, mapping: mapping)
        #expect(fallback.event?.task == "n")
    }

    @Test func aMissingMappedFieldNamesTheMappedKeys() throws {
        let mapping = try FieldMapping(specs: ["task=job_id", "task=name"])
        let reject = decodeLine(#"{"task":"t","state":"s","ts":0}"#, mapping: mapping).reject
        #expect(reject?.message == "missing field task (looked for job_id, name)")
    }

    @Test func longKeysAreComparedInFullAndKeysNearTheLineEndStillMatch() throws {
        let mapping = try FieldMapping(specs: ["task=job_identifier_x", "ts=t"])
        let line = #"{"job_identifiez_x":"no","job_identifier_x":"yes","state":"s","t":0}"#
        let event = try #require(decodeLine(line, mapping: mapping).event)
        #expect(event.task == "yes")
        #expect(event.timestamp == 0)
        #expect(event.attrs == #"{"job_identifiez_x":"no"}"#)
    }

    @Test func oneKeyMayFeedTwoFields() throws {
        let mapping = try FieldMapping(specs: ["actor=task"])
        let event = try #require(decodeLine(#"{"task":"t","state":"s","ts":0}"#, mapping: mapping).event)
        #expect(event.task == "t")
        #expect(event.actor == "t")
    }

    @Test(arguments: ["task", "task=", "=job", "", "=", "taskjob"])
    func aSpecWithoutFieldAndKeyIsABadSpec(spec: String) {
        #expect(throws: FieldMappingError.badSpec(spec)) { try FieldMapping(specs: [spec]) }
        #expect(
            FieldMappingError.badSpec(spec).description
                == "bad --field spec '\(spec)': expected FIELD=KEY, e.g. --field task=job_id")
    }

    @Test(arguments: ["tsk=x", "Task=x", "attrs=x", "event_id=x"])
    func anUnknownFieldIsRejected(spec: String) {
        let name = String(spec.prefix { $0 != "=" })
        #expect(throws: FieldMappingError.unknownField(name, spec: spec)) {
            try FieldMapping(specs: ["task=ok", spec])
        }
        #expect(
            FieldMappingError.unknownField(name, spec: spec).description
                == "unknown field '\(name)' in --field '\(spec)': the fields are "
                + "task, state, ts, id, actor, source, stage, detail")
    }
}
