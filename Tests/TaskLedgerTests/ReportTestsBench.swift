import Foundation
import Testing

@testable import TaskLedger

/// The report over a 1M-event ledger must take under 2 s in a release build. Opt-in:
/// `REPORT_BENCH_LEDGER=path swift test -c release --filter ReportTestsBench`.
@Suite struct ReportTestsBench {
    static let ledgerPath = ProcessInfo.processInfo.environment["REPORT_BENCH_LEDGER"]

    @Test(.enabled(if: ledgerPath != nil))
    func reportOfAMillionEventsTakesUnderTwoSeconds() throws {
        let ledger = try Ledger(path: Self.ledgerPath!, mode: .existing)
        let clock = ContinuousClock()
        let start = clock.now
        let now = try #require(try ledger.latestTimestamp())
        let report = try ledger.report(ReportOptions(now: now))
        let read = clock.now - start
        try report.write(to: tempDirectory())
        let total = clock.now - start
        print("report: read \(read), read + write \(total), \(report.events) events, \(report.violations.count) violations")
        #expect(total < .seconds(2))
    }
}
