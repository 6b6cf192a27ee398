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

/// SPEC §3 and §7: how a producer's state string becomes a canonical state.
struct NormalisationTests {
    /// The default aliases as SPEC §3 lists them.
    static let defaultAliases: [(alias: String, state: String)] = [
        ("DONE", "SUCCEEDED"), ("COMPLETED", "SUCCEEDED"), ("COMPLETE", "SUCCEEDED"),
        ("SUCCESS", "SUCCEEDED"), ("OK", "SUCCEEDED"),
        ("ERROR", "FAILED"), ("FAILURE", "FAILED"), ("FAIL", "FAILED"),
        ("CANCELED", "CANCELLED"), ("REVOKED", "CANCELLED"), ("ABORTED", "CANCELLED"),
        ("TIMEOUT", "TIMED_OUT"), ("EXPIRED", "TIMED_OUT"),
        ("PENDING", "QUEUED"),
        ("STARTED", "RUNNING"), ("IN_PROGRESS", "RUNNING"),
        ("RETRY", "RETRYING"),
        ("BLOCKED", "WAITING"), ("PAUSED", "WAITING"),
        ("NEW", "RECEIVED"), ("CREATED", "RECEIVED"), ("SUBMITTED", "RECEIVED"),
    ]

    @Test(arguments: defaultAliases)
    func defaultAliasMapsToItsCanonicalState(_ alias: String, _ state: String) {
        #expect(Rules.standard.canonicalState(alias) == state)
        #expect(Rules.standard.canonicalState(alias.lowercased()) == state)
    }

    @Test func defaultAliasesAreExactlyTheSpecList() {
        let expected = Dictionary(uniqueKeysWithValues: Self.defaultAliases.map { ($0.alias, $0.state) })
        #expect(Rules.standard.aliases == expected)
    }

    @Test(arguments: JudgeTests.canonical)
    func canonicalStateMapsToItself(_ state: String) {
        #expect(Rules.standard.canonicalState(state) == state)
        #expect(Rules.standard.canonicalState(state.lowercased()) == state)
    }

    @Test(arguments: [
        ("  running", "RUNNING"), ("running  ", "RUNNING"), ("\trunning\t", "RUNNING"),
        (" \r\nQUEUED\n", "QUEUED"), ("  done ", "SUCCEEDED"),
    ])
    func stateIsTrimmed(_ raw: String, _ state: String) {
        #expect(Rules.standard.canonicalState(raw) == state)
    }

    @Test(arguments: [
        ("Running", "RUNNING"), ("rUnNiNg", "RUNNING"), ("succeeded", "SUCCEEDED"), ("Timed_Out", "TIMED_OUT"),
        ("Canceled", "CANCELLED"), ("ok", "SUCCEEDED"),
    ])
    func stateIsUpperCased(_ raw: String, _ state: String) {
        #expect(Rules.standard.canonicalState(raw) == state)
    }

    @Test(arguments: [
        ("in-progress", "RUNNING"), ("in progress", "RUNNING"), ("In Progress", "RUNNING"),
        ("timed-out", "TIMED_OUT"), ("timed out", "TIMED_OUT"), ("  Timed-Out ", "TIMED_OUT"),
    ])
    func dashesAndSpacesBecomeUnderscores(_ raw: String, _ state: String) {
        #expect(Rules.standard.canonicalState(raw) == state)
    }

    /// Full Unicode case mapping would turn these into known states (`ı`→`I`, `ſ`→`S`,
    /// full-width letters); SPEC §7 says normalisation is ASCII-only, so they stay unknown.
    @Test(arguments: [
        "runnıng", "ſtarted", "ＲＵＮＮＩＮＧ", "RUNNING\u{00A0}", "\u{2003}RUNNING", "in\u{2010}progress",
        "Ok\u{0301}", "RUNNİNG",
    ])
    func nonASCIIStateStaysUnknown(_ raw: String) {
        #expect(Rules.standard.canonicalState(raw) == nil)
    }

    @Test(arguments: ["", " ", "   ", "\t", " \t "])
    func emptyStateIsUnknown(_ raw: String) {
        #expect(Rules.standard.canonicalState(raw) == nil)
        #expect(Rules.standard.judge(canonical: Rules.standard.canonicalState(raw), timestamp: 0, snapshot: nil, isDuplicate: false) == .unknownState)
    }

    @Test(arguments: ["RUNNINGG", "DONE!", "IN__PROGRESS", "_RUNNING", "SUCCEEDED.", "QUEUED1"])
    func nearMissStateIsUnknown(_ raw: String) {
        #expect(Rules.standard.canonicalState(raw) == nil)
    }

    @Test(arguments: [
        ("  in progress ", "IN_PROGRESS"), ("a-b c", "A_B_C"), ("ıx", "ıX"), ("", ""), ("  ", ""),
    ])
    func normalFormTrimsUpperCasesAndReplacesSeparators(_ raw: String, _ normal: String) {
        #expect(Rules.normalForm(raw) == normal)
    }
}
