import TaskLedgerCore
import TaskLedgerDecoding
import TaskLedgerInput

/// What one import run did, for the summary line and for scripts: what
/// ``Ledger/importFile(_:decoder:batchSize:progress:shouldStop:)`` returns, and what
/// ``ImportAborted/summary`` holds for a run that stopped early.
public struct ImportSummary: Sendable, Equatable {
    /// Physical lines read in this run (blank ones included; lines skipped by resuming are not).
    public var lines = 0
    /// Lines skipped because an earlier import had already consumed them.
    public var resumedLines = 0
    /// Lines holding only spaces or tabs: skipped, not judged.
    public var blankLines = 0
    /// Lines that a profile's `only:` leaves out: valid JSON, but not task events.
    public var skippedLines = 0
    /// Count per verdict, rejects and duplicates included.
    public var verdicts: [Verdict: Int] = [:]
    /// Final lines without `\n` that did not parse, left for the next import of the grown file.
    public var pendingLines = 0
    /// Wall-clock seconds.
    public var elapsed: Double = 0
    /// Decompressed bytes read in this run.
    public var bytes: Int64 = 0

    /// An empty summary, to ``add(_:)`` the summaries of several files into.
    public init() {}

    /// Lines applied to their task's snapshot (``Verdict/applied``; `out_of_order` is counted
    /// under its own verdict).
    public var applied: Int { verdicts[.applied] ?? 0 }
    /// Lines that became rows of `task_events`.
    public var events: Int { verdicts.filter { $0.key.isStoredAsEvent }.reduce(0) { $0 + $1.value } }
    /// Lines stored in `import_rejects` (parse failures and duplicates).
    public var rejects: Int { verdicts.filter { !$0.key.isStoredAsEvent }.reduce(0) { $0 + $1.value } }
    /// Judged lines per second.
    public var eventsPerSecond: Double {
        elapsed > 0 ? Double(verdicts.values.reduce(0, +)) / elapsed : 0
    }

    /// Adds another file's counts to these.
    public mutating func add(_ other: ImportSummary) {
        lines += other.lines
        resumedLines += other.resumedLines
        blankLines += other.blankLines
        skippedLines += other.skippedLines
        pendingLines += other.pendingLines
        bytes += other.bytes
        elapsed += other.elapsed
        for (verdict, count) in other.verdicts { verdicts[verdict, default: 0] += count }
    }

    /// `lines 1000 · applied 950 · violations: duplicate 3, illegal_transition 2 · rejects 5 · 0.21 s · 4,761 events/s`
    /// (`skipped N` after the rejects when a profile's `only:` left lines out)
    public var line: String {
        let violations = verdicts.filter { $0.key.isViolation && $0.value > 0 }.sorted { $0.key < $1.key }
            .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
        var parts = ["lines \(lines)"]
        if resumedLines > 0 { parts.append("resumed after \(resumedLines)") }
        parts.append("applied \(applied)")
        parts.append("violations: \(violations.isEmpty ? "none" : violations)")
        parts.append("rejects \(rejects)")
        if skippedLines > 0 { parts.append("skipped \(skippedLines)") }
        if pendingLines > 0 { parts.append("\(pendingLines) incomplete final line left for the next import") }
        parts.append(String(format2(elapsed)) + " s")
        parts.append("\(Int(eventsPerSecond.rounded())) events/s")
        return parts.joined(separator: " · ")
    }

    private func format2(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(String(hundredths % 100).leftPadded(2))"
    }
}

/// Progress of a running import, reported once per batch.
///
/// The `progress` closure of ``Ledger/importFile(_:decoder:batchSize:progress:shouldStop:)``
/// gets one after each committed batch: enough for a progress line (lines, events/s, percent).
public struct ImportProgress: Sendable {
    /// The file as given to the import (`-` for standard input).
    public var file: String
    /// Physical lines read so far in this run, blank ones included.
    public var lines: Int
    /// Lines judged (given a verdict) so far in this run.
    public var judged: Int
    /// Wall-clock seconds since the run started.
    public var elapsed: Double
    /// Share of the file's (compressed) bytes read, when the file size is known.
    public var fraction: Double?
}

/// An import that stopped early: everything before the stop is committed, with its checkpoint,
/// so re-running the same import resumes where it stopped.
///
/// Thrown by ``Ledger/importFile(_:decoder:batchSize:progress:shouldStop:)``; its
/// ``description`` is the message to show.
public struct ImportAborted: Error, CustomStringConvertible {
    /// Why the import stopped before the end of the file.
    public enum Reason: Sendable {
        /// The input is damaged part way (a truncated or corrupt gzip stream, a failed read):
        /// the underlying error, usually an ``ImportError``, names the file and line and says
        /// what to do (re-run once the file is complete; recompress or restore it).
        case damaged(any Error)
        /// `shouldStop` returned true (the CLI: SIGINT or SIGTERM) after the line given, at a
        /// batch boundary; the message says to re-run the same import to resume.
        case interrupted(atLine: Int)
    }

    /// The file as given to the import.
    public var file: String
    /// Why the import stopped.
    public var reason: Reason
    /// What was imported before the stop.
    public var summary: ImportSummary

    /// One line for people: where the import stopped, that the lines before are committed, and
    /// what to do next.
    public var description: String {
        switch reason {
        case .damaged(let error): "\(error)"
        case .interrupted(let line): "\(file): interrupted after line \(line), all of it committed; re-run the same command to resume"
        }
    }
}
