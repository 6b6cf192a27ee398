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

/// SPEC §3 and §4: the verdict for one event, given the task's snapshot. Pure: no ledger.
struct JudgeTests {
    static let canonical = [
        "RECEIVED", "QUEUED", "RUNNING", "WAITING", "RETRYING", "SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT",
    ]
    static let terminal: Set = ["SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"]

    /// SPEC §3 written out by hand as a from × to grid ("Y" allowed, "." refused), with the
    /// heartbeat (a non-terminal state repeating) on the diagonal. Not derived from `Rules.standard`.
    static let grid: [(from: String, row: String)] = [
        //             REC QUE RUN WAI RET SUC FAI CAN TIM
        ("RECEIVED",  " Y   Y   Y   .   .   .   Y   Y   . "),
        ("QUEUED",    " .   Y   Y   .   .   .   Y   Y   Y "),
        ("RUNNING",   " .   .   Y   Y   Y   Y   Y   Y   Y "),
        ("WAITING",   " .   .   Y   Y   .   .   Y   Y   Y "),
        ("RETRYING",  " .   Y   Y   .   Y   .   Y   Y   . "),
        ("SUCCEEDED", " .   .   .   .   .   .   .   .   . "),
        ("FAILED",    " .   .   .   .   .   .   .   .   . "),
        ("CANCELLED", " .   .   .   .   .   .   .   .   . "),
        ("TIMED_OUT", " .   .   .   .   .   .   .   .   . "),
    ]

    struct Transition: CustomTestStringConvertible, Sendable {
        var from: String
        var to: String
        var allowed: Bool
        var testDescription: String { "\(from) → \(to) \(allowed ? "allowed" : "refused")" }
    }

    static let transitions: [Transition] = grid.flatMap { from, row in
        zip(canonical, row.split(separator: " ")).map { to, mark in
            Transition(from: from, to: to, allowed: mark == "Y")
        }
    }

    static func snapshot(_ state: String, last: Int64 = at(10)) -> Snapshot {
        Snapshot(
            task: "t", state: state, firstTimestamp: at(0), lastTimestamp: last,
            terminalTimestamp: terminal.contains(state) ? last : nil)
    }

    @Test func theGridCoversEveryPairOfCanonicalStates() {
        #expect(Self.transitions.count == 81)
        #expect(Set(Self.transitions.map { "\($0.from)>\($0.to)" }).count == 81)
        #expect(Rules.standard.states == Self.canonical)
    }

    @Test(arguments: transitions)
    func defaultTransitionIsAllowedOnlyIfTheSpecListsIt(_ t: Transition) {
        let rules = Rules.standard
        #expect(rules.allows(from: t.from, to: t.to) == t.allowed)
        let verdict = rules.judge(
            canonical: t.to, timestamp: at(20), snapshot: Self.snapshot(t.from), isDuplicate: false)
        let refusal: Verdict = Self.terminal.contains(t.from) ? .afterTerminal : .illegalTransition
        #expect(verdict == (t.allowed ? .applied : refusal))
    }

    @Test(arguments: canonical)
    func firstEventMustBeAnInitialState(_ state: String) {
        let verdict = Rules.standard.judge(canonical: state, timestamp: at(0), snapshot: nil, isDuplicate: false)
        let initial = state == "RECEIVED" || state == "QUEUED"
        #expect(verdict == (initial ? .applied : .illegalTransition))
    }

    @Test(arguments: ["RECEIVED", "QUEUED", "RUNNING", "WAITING", "RETRYING"])
    func nonTerminalStateMayRepeatAsAHeartbeat(_ state: String) {
        let verdict = Rules.standard.judge(
            canonical: state, timestamp: at(20), snapshot: Self.snapshot(state), isDuplicate: false)
        #expect(verdict == .applied)
    }

    @Test(arguments: ["SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"])
    func terminalStateAllowsNothingNotEvenItself(_ state: String) {
        for next in Self.canonical {
            #expect(!Rules.standard.allows(from: state, to: next))
            let verdict = Rules.standard.judge(
                canonical: next, timestamp: at(20), snapshot: Self.snapshot(state), isDuplicate: false)
            #expect(verdict == .afterTerminal, "\(state) → \(next)")
        }
    }

    @Test func outOfOrderMeansStrictlyEarlierThanLastTimestamp() {
        let running = Self.snapshot("RUNNING", last: at(10))
        let judge = { (ts: Int64) in
            Rules.standard.judge(canonical: "SUCCEEDED", timestamp: ts, snapshot: running, isDuplicate: false)
        }
        #expect(judge(at(10) - 1) == .outOfOrder)
        #expect(judge(at(-1000)) == .outOfOrder)
        #expect(judge(at(10)) == .applied)
        #expect(judge(at(10) + 1) == .applied)
    }

    /// One row per SPEC §4 verdict from `duplicate` down; each case also satisfies every later
    /// row's condition, so it shows that the earlier row wins.
    struct Precedence: CustomTestStringConvertible, Sendable {
        var name: String
        var canonical: String?
        var timestamp: Int64
        var snapshotState: String?
        var duplicate: Bool
        var expected: Verdict
        var testDescription: String { name }
    }

    static let precedence: [Precedence] = [
        .init(name: "duplicate beats unknown state", canonical: nil, timestamp: at(0), snapshotState: "SUCCEEDED", duplicate: true, expected: .duplicate),
        .init(name: "duplicate beats an applicable event", canonical: "RUNNING", timestamp: at(20), snapshotState: "QUEUED", duplicate: true, expected: .duplicate),
        .init(name: "unknown state beats after terminal", canonical: nil, timestamp: at(0), snapshotState: "FAILED", duplicate: false, expected: .unknownState),
        .init(name: "unknown state on a new task", canonical: nil, timestamp: at(0), snapshotState: nil, duplicate: false, expected: .unknownState),
        .init(name: "after terminal beats illegal and earlier", canonical: "RECEIVED", timestamp: at(0), snapshotState: "CANCELLED", duplicate: false, expected: .afterTerminal),
        .init(name: "illegal transition beats earlier ts", canonical: "RECEIVED", timestamp: at(0), snapshotState: "RUNNING", duplicate: false, expected: .illegalTransition),
        .init(name: "not initial on a new task is illegal", canonical: "SUCCEEDED", timestamp: at(0), snapshotState: nil, duplicate: false, expected: .illegalTransition),
        .init(name: "legal but earlier is out of order", canonical: "SUCCEEDED", timestamp: at(0), snapshotState: "RUNNING", duplicate: false, expected: .outOfOrder),
        .init(name: "legal and later is applied", canonical: "SUCCEEDED", timestamp: at(20), snapshotState: "RUNNING", duplicate: false, expected: .applied),
    ]

    @Test(arguments: precedence)
    func verdictsAreCheckedInTheOrderOfTheSpecTable(_ c: Precedence) {
        let verdict = Rules.standard.judge(
            canonical: c.canonical, timestamp: c.timestamp, snapshot: c.snapshotState.map { Self.snapshot($0) },
            isDuplicate: c.duplicate)
        #expect(verdict == c.expected)
    }

    /// SPEC §4: every verdict except `applied` is a violation (named as the SPEC names them).
    @Test func everyVerdictButAppliedIsAViolation() {
        let specViolations = ["malformed", "missing_field", "bad_field", "bad_timestamp", "duplicate", "unknown_state",
                              "after_terminal", "illegal_transition", "out_of_order"]
        #expect(Verdict.allCases.filter(\.isViolation).map(\.rawValue) == specViolations)
        #expect(Verdict.allCases.filter { !$0.isViolation } == [.applied])
        #expect(Verdict.allCases.filter(\.changesSnapshot) == [.outOfOrder, .applied])
        #expect(Verdict.allCases.filter(\.isStoredAsEvent) == [.unknownState, .afterTerminal, .illegalTransition, .outOfOrder, .applied])
    }

    /// The import judges by state number (``StateTable``); the producer's raw strings go through
    /// ``PreparedEvent``, so normalisation and aliases must land on the same grid cell.
    @Test(arguments: transitions)
    func theImportsNumericFormJudgesTheGridAlike(_ t: Transition) {
        let table = Rules.standard.stateTable
        // Lower case with padding and a dash where there is an underscore: normalised first.
        let raw = "  " + t.to.lowercased().replacingOccurrences(of: "_", with: "-") + " "
        let prepared = PreparedEvent(StatusEvent(task: "t", state: raw, timestamp: at(20)), rules: .standard)
        #expect(prepared.storedState == t.to)
        let verdict = table.judge(
            to: prepared.state, timestamp: at(20), hasSnapshot: true, from: table.number(ofCanonical: t.from),
            lastTimestamp: at(10), isDuplicate: false)
        let refusal: Verdict = Self.terminal.contains(t.from) ? .afterTerminal : .illegalTransition
        #expect(verdict == (t.allowed ? .applied : refusal))
    }

    @Test func aliasesAndUnknownStatesInTheNumericForm() {
        let table = Rules.standard.stateTable
        #expect(table.number(of: "done").map { table.names[$0] } == "SUCCEEDED")
        #expect(table.number(of: "In Progress").map { table.names[$0] } == "RUNNING")
        #expect(table.number(of: "DONE") == table.number(of: "SUCCEEDED"))
        #expect(table.number(of: "EXPLODED") == nil)
        // An alias is not a canonical state: a snapshot never holds one.
        #expect(table.number(ofCanonical: "DONE") == nil)
        let unknown = PreparedEvent(StatusEvent(task: "t", state: "exploded", timestamp: at(0)), rules: .standard)
        #expect(unknown.state == nil)
        #expect(unknown.storedState == "exploded")
    }

    /// A ledger written under other rules may hold a snapshot state these rules do not list: it
    /// is open, and nothing may follow it (not even a state of the same name under new rules).
    @Test(arguments: canonical)
    func aSnapshotStateTheRulesDoNotListAllowsNothing(_ next: String) {
        let foreign = Snapshot(task: "t", state: "ON_HOLD", firstTimestamp: at(0), lastTimestamp: at(10))
        let verdict = Rules.standard.judge(canonical: next, timestamp: at(20), snapshot: foreign, isDuplicate: false)
        #expect(verdict == .illegalTransition)
        let table = Rules.standard.stateTable
        #expect(table.judge(
            to: table.number(of: next), timestamp: at(20), hasSnapshot: true, from: nil, lastTimestamp: at(10),
            isDuplicate: false) == .illegalTransition)
    }
}
