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

/// SPEC §3 `--rules FILE`: the YAML rules format, and its errors naming what is wrong.
struct RulesYAMLTests {
    static let custom = """
        states: [NEW, BUILDING, PARKED]
        terminal: [SHIPPED, SCRAPPED]
        initial: [NEW]
        transitions:
          NEW: [BUILDING, SCRAPPED]
          BUILDING: [SHIPPED, SCRAPPED, PARKED]
        aliases:
          in build: BUILDING
          gone: SCRAPPED
        stale:
          default: 2h
          BUILDING: 90s
          PARKED: 1d
        """

    @Test func standardRulesPrintedAsYAMLLoadBackEqual() throws {
        let loaded = try Rules(yaml: Rules.standard.yaml)
        #expect(loaded == Rules.standard)
    }

    @Test func customRulesFileReplacesStatesAliasesTransitionsAndStaleThresholds() throws {
        let rules = try Rules(yaml: Self.custom)
        #expect(rules.openStates == ["NEW", "BUILDING", "PARKED"])
        #expect(rules.terminalStates == ["SHIPPED", "SCRAPPED"])
        #expect(rules.initial == ["NEW"])
        #expect(rules.canonicalState("In-Build") == "BUILDING")
        #expect(rules.canonicalState("GONE") == "SCRAPPED")
        #expect(rules.canonicalState("done") == nil, "default aliases are replaced, not merged")
        #expect(rules.canonicalState("RUNNING") == nil)
        #expect(rules.allows(from: "BUILDING", to: "PARKED"))
        #expect(rules.allows(from: "PARKED", to: "PARKED"))
        #expect(!rules.allows(from: "PARKED", to: "BUILDING"))
        #expect(rules.isTerminal("SHIPPED"))
        #expect(rules.staleThreshold(for: "BUILDING") == 90_000)
        #expect(rules.staleThreshold(for: "PARKED") == 86_400_000)
        #expect(rules.staleThreshold(for: "NEW") == 7_200_000)
        #expect(rules.defaultStaleAfter == 7_200_000)
    }

    @Test func customRulesPrintedAsYAMLLoadBackEqual() throws {
        let rules = try Rules(yaml: Self.custom)
        #expect(try Rules(yaml: rules.yaml) == rules)
    }

    @Test func rulesFileWithoutStaleKeepsTheFifteenMinuteDefault() throws {
        let rules = try Rules(yaml: "states: [A]\nterminal: [Z]\ninitial: [A]\ntransitions: {A: [Z]}\n")
        #expect(rules.staleThreshold(for: "A") == 15 * 60_000)
        #expect(rules.aliases.isEmpty)
    }

    /// A state name YAML would read as a boolean, null or number must be printed quoted.
    @Test func stateNamesThatYAMLWouldMisreadRoundTrip() throws {
        let rules = try Rules(
            openStates: ["NO", "ON", "NULL", "1", "Y"], terminalStates: ["TRUE", "OFF"],
            aliases: ["YES": "TRUE", "2": "1"], initial: ["NO"],
            transitions: ["NO": ["ON", "TRUE"], "ON": ["NULL", "OFF"], "NULL": ["1"], "1": ["Y"], "Y": ["OFF"]])
        #expect(try Rules(yaml: rules.yaml) == rules)
    }

    @Test func aliasesWithCharactersYAMLTreatsSpeciallyRoundTrip() throws {
        let names = ["a: b", "#hash", "it's", "say \"hi\"", "back\\slash", "ünïcode", "tab\tin", "<<", "-", "?", "*ref", "&anchor", "!tag", "%", "@", "`", "[x]", "{y}", "1.5", "0x1F", ".inf", "~", "no", "on"]
        let aliases = Dictionary(uniqueKeysWithValues: names.map { ($0, "RUNNING") })
        let rules = try Rules(
            openStates: ["QUEUED", "RUNNING"], terminalStates: ["DONE"], aliases: aliases, initial: ["QUEUED"],
            transitions: ["QUEUED": ["RUNNING"], "RUNNING": ["DONE"]])
        let loaded = try Rules(yaml: rules.yaml)
        #expect(loaded == rules)
        for name in names {
            #expect(loaded.canonicalState(name) == "RUNNING", "\(name)")
        }
    }

    struct BadFile: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        /// Words the error message must contain.
        var mentions: [String]
        var testDescription: String { name }
    }

    static let base = """
        states: [QUEUED, RUNNING]
        terminal: [DONE]
        initial: [QUEUED]
        transitions:
          QUEUED: [RUNNING]
          RUNNING: [DONE]
        """

    static let errorCases: [BadFile] = [
        BadFile(
            name: "unknown target state in a transition",
            yaml: "states: [QUEUED, RUNNING]\nterminal: [DONE]\ninitial: [QUEUED]\ntransitions:\n  QUEUED: [RUNING]\n",
            mentions: ["RUNING", "QUEUED"]),
        BadFile(
            name: "unknown source state in a transition",
            yaml: "states: [QUEUED, RUNNING]\nterminal: [DONE]\ninitial: [QUEUED]\ntransitions:\n  PAUSED: [RUNNING]\n",
            mentions: ["PAUSED"]),
        BadFile(
            name: "terminal state with outgoing transitions",
            yaml: base + "\n  DONE: [RUNNING]\n",
            mentions: ["DONE", "terminal"]),
        BadFile(
            name: "unknown top-level key",
            yaml: base + "\nstale_after: {default: 1h}\n",
            mentions: ["stale_after"]),
        BadFile(
            name: "duplicate state within states",
            yaml: "states: [QUEUED, RUNNING, QUEUED]\nterminal: [DONE]\ninitial: [QUEUED]\n",
            mentions: ["QUEUED", "twice"]),
        BadFile(
            name: "state both open and terminal",
            yaml: "states: [QUEUED, RUNNING]\nterminal: [DONE, RUNNING]\ninitial: [QUEUED]\n",
            mentions: ["RUNNING"]),
        BadFile(
            name: "alias to an unknown state",
            yaml: base + "\naliases:\n  FINISHED: COMPLETE\n",
            mentions: ["COMPLETE", "FINISHED"]),
        BadFile(
            name: "alias that is empty after trimming",
            yaml: base + "\naliases:\n  \"  \": RUNNING\n",
            mentions: ["alias", "empty"]),
        BadFile(
            name: "two aliases that normalise alike but name different states",
            yaml: base + "\naliases:\n  in progress: RUNNING\n  IN-PROGRESS: QUEUED\n",
            mentions: ["IN_PROGRESS", "RUNNING", "QUEUED"]),
        BadFile(
            name: "empty initial",
            yaml: "states: [QUEUED, RUNNING]\nterminal: [DONE]\ninitial: []\ntransitions:\n  QUEUED: [RUNNING]\n",
            mentions: ["initial"]),
        BadFile(
            name: "missing initial",
            yaml: "states: [QUEUED, RUNNING]\nterminal: [DONE]\n",
            mentions: ["initial"]),
        BadFile(
            name: "unknown initial state",
            yaml: "states: [QUEUED, RUNNING]\nterminal: [DONE]\ninitial: [NEW]\n",
            mentions: ["NEW", "initial"]),
        BadFile(
            name: "bad duration",
            yaml: base + "\nstale:\n  RUNNING: 5 minutes\n",
            mentions: ["RUNNING", "5 minutes"]),
        BadFile(
            name: "duration without unit",
            yaml: base + "\nstale:\n  default: 90\n",
            mentions: ["default", "90"]),
        BadFile(
            name: "stale threshold for an unknown state",
            yaml: base + "\nstale:\n  WAITING: 1h\n",
            mentions: ["WAITING"]),
        BadFile(
            name: "state not in normal form",
            yaml: "states: [queued, RUNNING]\nterminal: [DONE]\ninitial: [queued]\n",
            mentions: ["queued", "QUEUED"]),
        BadFile(
            name: "not a mapping",
            yaml: "- QUEUED\n- RUNNING\n",
            mentions: ["mapping"]),
        BadFile(
            name: "a bare scalar",
            yaml: "just some text\n",
            mentions: ["mapping"]),
        BadFile(
            name: "invalid YAML",
            yaml: "states: [QUEUED, RUNNING\nterminal: [DONE]\n",
            mentions: ["YAML"]),
        BadFile(
            name: "states not a list",
            yaml: "states: QUEUED\nterminal: [DONE]\ninitial: [QUEUED]\n",
            mentions: ["states"]),
    ]

    @Test(arguments: errorCases)
    func badRulesFileIsRefusedWithAMessageNamingTheProblem(_ bad: BadFile) {
        do {
            let rules = try Rules(yaml: bad.yaml)
            Issue.record("loaded rules that should be refused: \(rules.yaml)")
        } catch {
            let message = String(describing: error)
            for word in bad.mentions {
                #expect(message.contains(word), "message \(message.debugDescription) should mention \(word)")
            }
        }
    }

    @Test func aliasesThatNormaliseAlikeAndAgreeAreAccepted() throws {
        let rules = try Rules(yaml: Self.base + "\naliases:\n  in progress: RUNNING\n  IN-PROGRESS: RUNNING\n")
        #expect(rules.aliases == ["IN_PROGRESS": "RUNNING"])
    }

    @Test func baseOfTheErrorCasesIsItselfValid() throws {
        let rules = try Rules(yaml: Self.base)
        #expect(rules.states == ["QUEUED", "RUNNING", "DONE"])
    }
}
