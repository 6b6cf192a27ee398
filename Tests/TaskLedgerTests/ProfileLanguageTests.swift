import Foundation
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerDecoding
@testable import TaskLedgerProfiles

/// The profile language's extensions for real logs: templates, `$file`, `ts_formats`, and
/// `only:` alternatives.
struct ProfileLanguageTests {
    static func decoder(_ yaml: String) throws -> EventDecoder {
        try Profile(yaml: yaml, file: "p.yaml").decoder()
    }

    static func event(_ decoder: EventDecoder, _ line: String) -> StatusEvent? {
        if case .success(let event) = decoder.decode(line) { return event }
        return nil
    }

    static func reject(_ decoder: EventDecoder, _ line: String) -> LineReject? {
        if case .failure(let reject) = decoder.decode(line) { return reject }
        return nil
    }

    @Test func aTemplateJoinsPathsAndText() throws {
        let decoder = try Self.decoder("""
            fields:
              task: ["{info.invocation_id}/{data.node.id}"]
              state: [data.status]
              ts: [info.ts]
            """)
        let line = #"{"info":{"invocation_id":"inv-1","ts":"2026-01-01T00:00:00Z"},"data":{"node":{"id":"model.a"},"status":"success"}}"#
        #expect(Self.event(decoder, line)?.task == "inv-1/model.a")
        // Numbers and booleans go in as written; escapes are decoded.
        let numbers = #"{"info":{"invocation_id":42,"ts":"2026-01-01T00:00:00Z"},"data":{"node":{"id":"a\u00e9"},"status":"x"}}"#
        #expect(Self.event(decoder, numbers)?.task == "42/aé")
    }

    @Test func aTemplateWithAnAbsentPathFallsBackToTheNextPath() throws {
        let decoder = try Self.decoder("""
            fields:
              task: [workflow_job.id, "run-{workflow_run.id}"]
              state: [action]
              ts: [at]
            """)
        #expect(Self.event(decoder, #"{"workflow_job":{"id":7},"action":"queued","at":0}"#)?.task == "7")
        #expect(Self.event(decoder, #"{"workflow_run":{"id":7},"action":"requested","at":0}"#)?.task == "run-7")
        #expect(Self.event(decoder, #"{"workflow_run":{"id":null},"action":"requested","at":0}"#) == nil)
        #expect(Self.reject(decoder, #"{"action":"requested","at":0}"#)?.message
            == "missing field task (looked for workflow_job.id, run-{workflow_run.id})")
    }

    @Test func aTemplatePartThatIsAnObjectIsABadField() throws {
        let decoder = try Self.decoder("fields:\n  task: [\"x-{a}\"]\n  state: [s]\n  ts: [t]\n")
        let reject = Self.reject(decoder, #"{"a":{"b":1},"s":"RUNNING","t":0}"#)
        #expect(reject?.kind == .badField)
        #expect(reject?.message == #"field task (template "x-{a}"): a is an object; a template takes strings, numbers and booleans"#)
    }

    @Test(arguments: [
        ("a{b", "a '{' is not closed by '}'"),
        ("a}b", "a '}' has no '{' before it"),
        ("{}", "'{}' names no path"),
        ("{a{b}}", "'{' inside '{…}'"),
        ("{steps.0}", "'0' is an array index"),
    ])
    func aBadTemplateIsRefusedWhenTheProfileLoads(template: String, problem: String) {
        #expect {
            try Profile(yaml: "fields:\n  task: [\"\(template)\"]\n", file: "p.yaml")
        } throws: { error in
            "\(error)".hasPrefix("p.yaml:2: path '") && "\(error)".contains(problem)
        }
    }

    @Test func fileIsTheImportedFilesNameWithoutItsEndings() throws {
        #expect(FieldPath.fileTask("runs/exec-42.jsonl.gz") == "exec-42")
        #expect(FieldPath.fileTask("a.b/history.json") == "history")
        #expect(FieldPath.fileTask("x.ndjson") == "x")
        #expect(FieldPath.fileTask("plain") == "plain")
        #expect(FieldPath.fileTask(".jsonl") == ".jsonl")
        let base = try Self.decoder("fields:\n  task: [$file]\n  state: [type]\n  ts: [t]\n")
        let line = #"{"type":"RUNNING","t":0}"#
        #expect(Self.event(base.reading(file: "dir/wf-1.jsonl"), line)?.task == "wf-1")
        // In a template too.
        let templated = try Self.decoder("fields:\n  task: [\"{$file}#{run}\"]\n  state: [type]\n  ts: [t]\n")
        #expect(Self.event(templated.reading(file: "h.json"), #"{"run":3,"type":"RUNNING","t":0}"#)?.task == "h#3")
        // Standard input has no name: the task is missing.
        #expect(Self.reject(base.reading(file: "-"), line)?.kind == .missingField)
    }

    @Test func fileNamesTheTaskInARealImport() throws {
        let directory = try TempDirectory()
        let ledger = try Ledger(directory.path("l.sqlite"))
        let profile = try Profile(yaml: "fields:\n  task: [$file]\n  state: [type]\n  ts: [t]\n", file: "p.yaml")
        for name in ["exec-a.jsonl", "exec-b.jsonl.gz"] {
            let text = #"{"type":"QUEUED","t":1}"# + "\n" + #"{"type":"RUNNING","t":2}"# + "\n"
            let path = directory.path(name)
            if name.hasSuffix(".gz") {
                try Data(zlibGzip(Array(text.utf8))).write(to: URL(fileURLWithPath: path))
            } else {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
            _ = try ledger.importFile(path, decoder: try profile.decoder())
        }
        #expect(try ledger.snapshot(task: "exec-a")?.state == "RUNNING")
        #expect(try ledger.snapshot(task: "exec-b")?.state == "RUNNING")
        #expect(try ledger.eventCount(task: "exec-b") == 2)
    }

    @Test(arguments: [
        ("2023-01-10 13:50:05 UTC", "2023-01-10T13:50:05Z"),
        ("2023-01-10 13:50:05.25 UTC", "2023-01-10T13:50:05.25Z"),
        ("2023-01-10 13:50:05 +0100", "2023-01-10T13:50:05+01:00"),
        ("2023-01-10 13:50:05 -05:30", "2023-01-10T13:50:05-05:30"),
    ])
    func spacedTimestampsReadAsTheirRFC3339Twin(spaced: String, rfc: String) throws {
        #expect(Timestamp.parseSpaced(spaced) != nil)
        #expect(Timestamp.parseSpaced(spaced) == Timestamp.parseRFC3339(rfc))
    }

    @Test(arguments: ["2023-01-10 13:50:05", "2023-01-10 13:50:05 CET", "2023-01-10T13:50:05 UTC", "2023-01-10 13:50:05 +01", "2023-02-30 13:50:05 UTC", "2023-01-10 13:50:05 UTC "])
    func otherSpacedFormsAreRefused(text: String) {
        #expect(Timestamp.parseSpaced(text) == nil)
    }

    @Test func tsFormatsDecidesWhichTextTimestampsAreRead() throws {
        let line = #"{"task":"t","state":"RUNNING","ts":"2023-01-10 13:50:05 UTC"}"#
        let rfcLine = #"{"task":"t","state":"RUNNING","ts":"2023-01-10T13:50:05Z"}"#
        let standard = try Self.decoder("name: s\n")
        #expect(Self.reject(standard, line)?.message == "ts '2023-01-10 13:50:05 UTC' is not an RFC 3339 timestamp or epoch number")
        let both = try Self.decoder("ts_formats: [rfc3339, spaced]\n")
        #expect(Self.event(both, line)?.timestamp == Timestamp.parseRFC3339("2023-01-10T13:50:05Z"))
        #expect(Self.event(both, rfcLine) != nil)
        #expect(Self.reject(both, #"{"task":"t","state":"RUNNING","ts":"yesterday"}"#)?.message
            == "ts 'yesterday' is not an RFC 3339 or 'YYYY-MM-DD hh:mm:ss UTC' timestamp or epoch number")
        let spacedOnly = try Self.decoder("ts_formats: [spaced]\n")
        #expect(Self.reject(spacedOnly, rfcLine)?.kind == .badTimestamp)
        #expect(Self.event(spacedOnly, #"{"task":"t","state":"RUNNING","ts":1700000000}"#) != nil)
        #expect {
            try Profile(yaml: "ts_formats: [iso]\n", file: "p.yaml")
        } throws: { error in
            "\(error)" == "p.yaml:1: ts_formats: unknown format 'iso' (the formats are rfc3339, spaced)"
        }
    }

    @Test func onlyAsAListAdmitsALineWhenOneMappingHolds() throws {
        let profile = try Profile(yaml: """
            fields:
              task: [workflow_job.id, "run-{workflow_run.id}"]
              state: [action]
              ts: [at]
            only:
              - workflow_job.id: "*"
              - workflow_run.id: "*"
                action: [requested, completed]
            """, file: "p.yaml")
        let decoder = try profile.decoder()
        func skipped(_ line: String) -> Bool {
            if case .skipped = decoder.read(line) { return true }
            return false
        }
        #expect(!skipped(#"{"workflow_job":{"id":1},"action":"queued","at":0}"#))
        #expect(!skipped(#"{"workflow_run":{"id":1},"action":"requested","at":0}"#))
        #expect(skipped(#"{"workflow_run":{"id":1},"action":"in_progress","at":0}"#))
        #expect(skipped(#"{"zen":"ping","hook_id":1}"#))
        #expect(try Profile(yaml: profile.yaml, file: "printed") == profile)
        #expect(profile.yaml.contains("only:\n  - \"workflow_job.id\": [\"*\"]\n  - \"workflow_run.id\": [\"*\"]\n    \"action\": [\"requested\", \"completed\"]\n"))
    }
}
