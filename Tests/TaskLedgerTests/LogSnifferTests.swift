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

/// `LogSniffer` on small hand-written samples.
@Suite struct LogSnifferTests {
    static func sniff(_ lines: [String]) -> SniffReport {
        var sniffer = LogSniffer()
        for line in lines { sniffer.add(line) }
        return sniffer.report()
    }

    /// Five jobs a…e, each pending → running → ok (e: broken), interleaved; a ping; a bad line.
    static let jobs: [String] = {
        var lines: [String] = []
        for (step, phase) in ["pending", "running", "ok"].enumerated() {
            for (n, key) in ["a", "b", "c", "d", "e"].enumerated() {
                let state = key == "e" && phase == "ok" ? "broken" : phase
                lines.append(#"{"kind":"job","job":{"key":"\#(key)","phase":"\#(state)","at":"2026-11-24T10:0\#(step):0\#(n)Z"}}"#)
            }
        }
        return lines + [#"{"kind":"ping","n":7}"#, "not json"]
    }()

    @Test func keysAreDottedPathsWithTypesAndFillRates() throws {
        let report = Self.sniff(Self.jobs)
        #expect(report.lines == 17 && report.objects == 16 && report.malformed == 1)
        let phase = try #require(report.keys.first { $0.path.description == "job.phase" })
        #expect(phase.present == 15 && phase.types == ["string": 15] && phase.distinct == 4)
        let at = try #require(report.keys.first { $0.path.description == "job.at" })
        #expect(at.timestamps == 15)
    }

    @Test func theProposalFindsTaskStateTsAndTheOtherLines() throws {
        let report = Self.sniff(Self.jobs)
        #expect(report.taskCandidates.first?.description == "job.key")
        #expect(report.state.map(\.description) == ["job.phase"])
        #expect(report.ts.map(\.description) == ["job.at"])
        #expect(report.selection.conditions == [.init(path: FieldPath(key: "kind"), patterns: ["job"])])
    }

    @Test func theProfileAllowsExactlyTheObservedTransitions() throws {
        let rules = try #require(Self.sniff(Self.jobs).profile?.rules)
        #expect(rules.openStates == ["PENDING", "RUNNING"])
        #expect(rules.terminalStates == ["OK", "BROKEN"])
        #expect(rules.initial == ["PENDING"])
        #expect(rules.allows(from: "PENDING", to: "RUNNING"))
        #expect(rules.allows(from: "RUNNING", to: "BROKEN"))
        #expect(!rules.allows(from: "PENDING", to: "OK"))
    }

    @Test func transitionsCountDirectlyFollowsPerTaskIgnoringDuplicates() {
        let report = Self.sniff(Self.jobs + [Self.jobs[2]])
        #expect(report.transitions.map { "\($0.from)>\($0.to)=\($0.count)" } == [
            "PENDING>RUNNING=5", "RUNNING>OK=4", "RUNNING>BROKEN=1",
        ])
    }
}
