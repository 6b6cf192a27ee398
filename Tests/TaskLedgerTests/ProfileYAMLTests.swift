import Foundation
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

/// Profiles load from YAML, refuse mistakes with file:line, and print back to equal profiles.
@Suite struct ProfileYAMLTests {
    static let small = """
        name: small
        source: sys
        fields:
          task: [job.id, job_id]
          state: job.state
          id: []
        only:
          kind: [job, "task-*"]
        states: [QUEUED, RUNNING]
        terminal: [DONE]
        initial: [QUEUED]
        transitions:
          QUEUED: [RUNNING]
          RUNNING: [DONE]

        """

    @Test func aProfileLoadsItsFieldsFiltersSourceAndRules() throws {
        let profile = try Profile(yaml: Self.small, file: "small.yaml")
        #expect(profile.name == "small")
        #expect(profile.source == "sys")
        #expect(profile.mapping.keys(for: .task) == ["job.id", "job_id"])
        #expect(profile.mapping.keys(for: .state) == ["job.state"])
        #expect(profile.mapping.keys(for: .id) == [])
        #expect(profile.mapping.keys(for: .ts) == ["ts", "timestamp", "time"])
        #expect(profile.selection.conditions == [.init(path: FieldPath(key: "kind"), patterns: ["job", "task-*"])])
        #expect(profile.rules.terminalStates == ["DONE"])
        #expect(profile.rules.allows(from: "RUNNING", to: "DONE"))
    }

    @Test func aProfileWithoutRulesKeysHasSPECRules() throws {
        let profile = try Profile(yaml: "fields:\n  task: [job_id]\n", file: "p.yaml")
        #expect(profile.rules == .standard)
    }

    @Test(arguments: [
        ("transitions:\n  RUNNING: [DONE, FINISHED]\n", 13, "unknown state 'FINISHED' in transitions of RUNNING: list it under states or terminal"),
        ("transitions:\n  DONE: [RUNNING]\n", 13, "terminal state 'DONE' has outgoing transitions: terminal states allow none (list repeats a system sends after the end under echoes)"),
        ("initial: [STARTING]\n", 12, "unknown state 'STARTING' in initial: list it under states or terminal"),
        ("aliases:\n  FINISHED: COMPLETE\n", 13, "unknown state 'COMPLETE' in alias FINISHED: list it under states or terminal"),
        ("fields:\n  task: [job.id, 5]\n", 13, "fields.task: a path must be a string, found a number (5)"),
        ("fields:\n  task:\n    - job.id\n    - {a: b}\n", 15, "fields.task: a path must be a string, found a mapping"),
        ("fields:\n  task: [\"steps[0].id\"]\n", 13, "path 'steps[0].id' cannot be used: 'steps[0]' is an array index; paths go through objects only, not arrays"),
        ("fields:\n  owner: [x]\n", 13, "unknown field 'owner' under fields: the fields are task, state, ts, id, actor, source, stage, detail"),
        ("only:\n  kind: [true]\n", 13, "only.kind: a glob must be a string, found a boolean (true)"),
        ("colour: blue\n", 12, "unknown key 'colour' (expected one of aliases, clock_skew, description, echoes, fields, initial, name, only, partial, source, stale, states, terminal, transitions, ts_formats)"),
    ])
    func mistakesAreRefusedWithTheLineOfTheYAML(extra: String, line: Int, message: String) throws {
        // `base` has 11 lines, so the extra text starts on line 12.
        let base = """
            # a profile with one mistake
            name: broken
            states: [QUEUED, RUNNING]
            terminal: [DONE]
            initial: [QUEUED]
            stale:
              default: 15m
            # filler so that line numbers are easy to check
            # …
            # …
            # …

            """
        let yaml = base.replacingOccurrences(of: "initial: [QUEUED]\n", with: extra.hasPrefix("initial") ? "# …\n" : "initial: [QUEUED]\n") + extra
        #expect(throws: ProfileError(file: "broken.yaml", line: line, message: message)) {
            try Profile(yaml: yaml, file: "broken.yaml")
        }
    }

    @Test func theErrorReadsFileColonLine() {
        let error = ProfileError(file: "p.yaml", line: 7, message: "bad")
        #expect(error.description == "p.yaml:7: bad")
    }

    @Test(arguments: Profile.builtInNames)
    func everyBuiltInPrintsAsYAMLThatLoadsBackEqual(name: String) throws {
        let text = try #require(Profile.builtInText(named: name))
        let profile = try Profile(yaml: text, file: name)
        #expect(profile.name == name)
        #expect(try Profile(yaml: profile.yaml, file: "printed") == profile)
        #expect(try Profile(yaml: Profile(yaml: profile.yaml, file: "p").yaml, file: "again") == profile)
    }

    @Test func theBuiltInsAreTheFilesInProfilesFolder() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("profiles")
        for name in Profile.builtInNames {
            let file = try String(contentsOf: folder.appendingPathComponent("\(name).yaml"), encoding: .utf8)
            #expect(Profile.builtInText(named: name) == file)
        }
    }

    @Test func theDefaultProfileIsSPECAsItIs() throws {
        let profile = try #require(Profile.builtIn(named: "default"))
        #expect(profile.rules == .standard)
        #expect(profile.mapping == FieldMapping())
        #expect(profile.selection.isEverything)
        #expect(profile.source == nil)
    }

    @Test func fieldSpecsReplaceOneFieldOfTheProfile() throws {
        let profile = try #require(Profile.builtIn(named: "celery"))
        let decoder = try profile.decoder(fieldSpecs: ["actor=pid"])
        #expect(decoder.mapping.keys(for: .actor) == ["pid"])
        #expect(decoder.mapping.keys(for: .task) == ["uuid"])
    }

    @Test func oddTextSurvivesThePrintedForm() throws {
        var profile = try Profile(yaml: Self.small, file: "small.yaml")
        profile.summary = "quotes \" and \\ and yes: no"
        profile.source = "*"
        #expect(try Profile(yaml: profile.yaml, file: "p") == profile)
    }
}
