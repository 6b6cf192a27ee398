import ArgumentParser
import TaskLedger
struct ReportOptionsGroup: ParsableArguments {
    @Option var now: String?
    func validateOptions() throws {}
    func write(ledger: Ledger, to dir: String) throws -> Bool { false }
}
struct ReportCommand: ParsableCommand {}
