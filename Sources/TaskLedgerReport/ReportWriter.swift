import Foundation
import TaskLedgerCore

/// Writes a report's files while a store reads it, so that memory does not grow with the
/// ledger: `outcomes.csv` (one row per terminal task: every task of the ledger for a full
/// report) is written a megabyte at a time as the store hands its outcomes over, into a
/// temporary file in the directory that replaces `outcomes.csv` once the read is done; the
/// other files say only counts and durations of outcomes (``OutcomeTally``) and are written
/// after it from a ``Report`` that holds no outcome rows. The files are byte for byte those
/// of ``Report/write(to:)`` for the same ledger: both add rows with
/// ``CSVText/appendOutcome(_:)``.
package enum ReportWriter {
    /// How many bytes of `outcomes.csv` are kept before they are written out.
    static let bufferBytes = 1 << 20

    /// Calls `read` with a closure taking each outcome, writes the files into `directory`
    /// (created if missing) and returns the report (without outcome rows: its ``Report/tally``
    /// has them all) and the files' paths in ``Report/fileNames`` order.
    ///
    /// When `read` throws, `outcomes.csv` and every other file in the directory stay as they
    /// were and the temporary file is removed.
    package static func write(
        options: ReportOptions, ledgerPath: String, rules: Rules, to directory: String,
        read: ((ReportRows.Outcome) throws -> Void) throws -> ReportRows
    ) throws -> (report: Report, files: [String]) {
        try Report.createDirectory(directory)
        var tally = OutcomeTally()
        let rows: ReportRows
        var written: Set<String> = []
        if options.formats.contains(.csv) {
            rows = try StreamedFile.write(directory: directory, name: Report.CSVFile.outcomes.fileName) { sink in
                var csv = Report.outcomesCSV(excelSafe: options.excelSafe)
                let rows = try read { row in
                    let outcome = Report.Outcome(row)
                    tally.add(outcome)
                    csv.appendOutcome(outcome)
                    try csv.drain(into: sink, over: bufferBytes)
                }
                try csv.drain(into: sink)
                return rows
            }
            written.insert(Report.CSVFile.outcomes.fileName)
        } else {
            rows = try read { tally.add(Report.Outcome($0)) }
        }
        let report = Report(
            rows: rows, outcomes: [], tally: tally, options: options, ledgerPath: ledgerPath, rules: rules)
        return (report, try report.write(to: directory, except: written))
    }
}

/// A file written in pieces under a temporary name in its directory, renamed over `name`
/// when finished (as `Data.write(options: .atomic)` does for a file written in one go).
final class StreamedFile {
    private let temporary: String
    private let final: String
    private var fd: Int32

    /// Calls `body` with a sink for the file's bytes, then puts the file in place; when `body`
    /// or the rename fails, the temporary file is removed and `name` stays as it was.
    static func write<T>(
        directory: String, name: String, _ body: (@escaping ([UInt8]) throws -> Void) throws -> T
    ) throws -> T {
        let file = try StreamedFile(directory: directory, name: name)
        do {
            let value = try body(file.write)
            try file.finish()
            return value
        } catch {
            file.discard()
            throw error
        }
    }

    private init(directory: String, name: String) throws {
        let base = URL(fileURLWithPath: directory, isDirectory: true)
        final = base.appendingPathComponent(name).path
        temporary = base.appendingPathComponent(".\(name).\(getpid()).\(UInt32.random(in: .min ... .max)).tmp").path
        // 0666 less the umask, as a file Foundation writes.
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw ReportError.cannotWrite(path: final, reason: String(cString: strerror(errno))) }
    }

    private func write(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ReportError.cannotWrite(path: final, reason: String(cString: strerror(errno))) }
            done += n
        }
    }

    private func finish() throws {
        let closed = close(fd)
        fd = -1
        guard closed == 0 else { throw ReportError.cannotWrite(path: final, reason: String(cString: strerror(errno))) }
        guard rename(temporary, final) == 0 else {
            throw ReportError.cannotWrite(path: final, reason: String(cString: strerror(errno)))
        }
    }

    private func discard() {
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporary)
    }
}
