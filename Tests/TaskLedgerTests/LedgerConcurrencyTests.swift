import Foundation
import TaskLedgerTestSupport
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

/// SPEC §5: many writers on one ledger lose nothing and see no `database is locked`; exactly one
/// of many racing `deliver` callers gets `deliver`. In-process: one `SQLiteLedger` per thread.
@Suite(.serialized)
struct LedgerConcurrencyTests {
    final class Collected<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [T] = []
        func append(_ item: T) { lock.withLock { items.append(item) } }
        var all: [T] { lock.withLock { items } }
    }

    /// Runs `body(i)` on `count` threads released together; waits for all of them.
    static func race(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let ready = DispatchSemaphore(value: 0)
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for i in 0..<count {
            done.enter()
            let thread = Thread {
                ready.signal()
                start.wait()
                body(i)
                done.leave()
            }
            thread.start()
        }
        for _ in 0..<count { ready.wait() }
        for _ in 0..<count { start.signal() }
        done.wait()
    }

    @Test func writersOnSeparateConnectionsLoseNothing() throws {
        let dir = try TempDirectory()
        let path = dir.path("shared.db")
        let errors = Collected<String>()
        let verdicts = Collected<Verdict>()
        let threads = 4
        Self.race(threads) { worker in
            do {
                let ledger = try SQLiteLedger(path: path)  // the first ones race to create it
                for n in 0..<40 {
                    let task = "w\(worker)-t\(n)"
                    for (k, state) in ["RECEIVED", "RUNNING", "WAITING", "RUNNING", "SUCCEEDED"].enumerated() {
                        verdicts.append(try ledger.write(event(task, state, at(Int64(k)), actor: "w\(worker)")))
                    }
                }
            } catch {
                errors.append("worker \(worker): \(error)")
            }
        }
        #expect(errors.all == [])
        #expect(verdicts.all.count == threads * 200)
        #expect(verdicts.all.allSatisfy { $0 == .applied })
        let f = try SQLiteLedger(path: path, mode: .existing)
        let report = try f.verify()
        #expect(report.events == threads * 200)
        #expect(report.tasks == threads * 40)
        #expect(report.isClean)
    }

    @Test func writersOnOneTaskKeepAtMostOneTerminal() throws {
        let dir = try TempDirectory()
        let path = dir.path("shared.db")
        try SQLiteLedger(path: path).write(event("t", "RUNNING", at(0)))
        _ = try SQLiteLedger(path: path).write(event("t", "QUEUED", at(0)))
        _ = try SQLiteLedger(path: path).write(event("t", "RUNNING", at(1)))
        let verdicts = Collected<Verdict>()
        let terminals = ["SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"]
        Self.race(8) { i in
            guard let ledger = try? SQLiteLedger(path: path, mode: .existing),
                let verdict = try? ledger.write(event("t", terminals[i % 4], at(2), detail: "\(i)"))
            else { return }
            verdicts.append(verdict)
        }
        #expect(verdicts.all.count == 8)
        #expect(verdicts.all.filter { $0 == .applied }.count == 1)
        #expect(verdicts.all.filter { $0 == .afterTerminal }.count == 7)
        #expect(try SQLiteLedger(path: path).verify().isClean)
    }

    @Test func exactlyOneOfSixteenRacingDeliveriesWithTheSameKeyDelivers() throws {
        let dir = try TempDirectory()
        let path = dir.path("shared.db")
        try SQLiteLedger(path: path).write(event("t", "QUEUED", at(0)))
        let outcomes = Collected<DeliveryOutcome>()
        let errors = Collected<String>()
        Self.race(16) { i in
            do {
                let ledger = try SQLiteLedger(path: path, mode: .existing)
                outcomes.append(try ledger.deliver(task: "t", channel: "pager", now: at(1) + Int64(i)))
            } catch {
                errors.append("\(error)")
            }
        }
        #expect(errors.all == [])
        #expect(outcomes.all.filter { $0 == .deliver }.count == 1)
        #expect(outcomes.all.filter { $0 == .suppressedDuplicate }.count == 15)
    }
}
