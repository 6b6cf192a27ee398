import TaskLedgerCore

extension Report {
    /// The three CSV files of SPEC §6.
    public enum CSVFile: String, Sendable, CaseIterable {
        /// `outcomes.csv`: one row per terminal task (``Report/outcomes``).
        case outcomes
        /// `violations.csv`: one row per refused event or rejected line (``Report/violations``).
        case violations
        /// `stale.csv`: one row per stale open task (``Report/stale``).
        case stale

        /// `outcomes.csv`, `violations.csv`, `stale.csv`.
        public var fileName: String { rawValue + ".csv" }
    }

    /// The text of one CSV file: SPEC §6 columns in order, RFC 4180, `\n` line ends.
    public func csv(_ file: CSVFile) -> String {
        var bytes: [UInt8] = []
        csv(file, chunkBytes: .max) { bytes += $0 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes of one CSV file handed to `sink` in pieces of about `chunkBytes`, so that a
    /// file written out (``write(to:)``) is never held whole: 80k violations are 17 MB of CSV.
    package func csv(_ file: CSVFile, chunkBytes: Int, _ sink: ([UInt8]) throws -> Void) rethrows {
        var csv: CSVText
        switch file {
        case .outcomes:
            csv = Report.outcomesCSV(excelSafe: options.excelSafe)
            for o in outcomes {
                csv.appendOutcome(o)
                try csv.drain(into: sink, over: chunkBytes)
            }
        case .violations:
            csv = CSVText(
                header: ["file", "line", "task", "kind", "from_state", "to_state", "ts", "event_id", "message"],
                excelSafe: options.excelSafe)
            for v in violations {
                csv.appendRow([
                    v.file, v.line.map(String.init) ?? "", v.task ?? "", v.kind.rawValue, v.fromState ?? "",
                    v.toState ?? "", v.timestamp.map(Timestamp.format) ?? "", v.eventID ?? "", v.message,
                ])
                try csv.drain(into: sink, over: chunkBytes)
            }
        case .stale:
            csv = CSVText(
                header: ["task", "state", "last_ts", "age_s", "actor", "source", "stage"],
                excelSafe: options.excelSafe)
            for s in stale {
                csv.appendRow([
                    s.snapshot.task, s.snapshot.state, Timestamp.format(s.snapshot.lastTimestamp),
                    ReportNumber.seconds(s.age), s.snapshot.actor, s.snapshot.source, s.snapshot.stage,
                ])
                try csv.drain(into: sink, over: chunkBytes)
            }
        }
        try csv.drain(into: sink)
    }

    /// `outcomes.csv` with its header row and no outcome yet: ``csv(_:chunkBytes:_:)`` and
    /// ``ReportWriter`` both start from it and add rows with ``CSVText/appendOutcome(_:)``.
    package static func outcomesCSV(excelSafe: Bool) -> CSVText {
        CSVText(
            header: ["task", "state", "first_ts", "terminal_ts", "duration_s", "events", "actor", "source", "stage", "partial"],
            excelSafe: excelSafe)
    }
}

extension CSVText {
    /// One row of `outcomes.csv`.
    package mutating func appendOutcome(_ o: Report.Outcome) {
        appendRow([
            o.task, o.state, Timestamp.format(o.firstTimestamp), Timestamp.format(o.terminalTimestamp),
            o.duration.map(ReportNumber.seconds) ?? "", String(o.events), o.actor, o.source, o.stage,
            o.partial ? "true" : "false",
        ])
    }
}
