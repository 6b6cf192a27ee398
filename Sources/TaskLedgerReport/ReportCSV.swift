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
        switch file {
        case .outcomes: outcomesCSV()
        case .violations: violationsCSV()
        case .stale: staleCSV()
        }
    }

    private func outcomesCSV() -> String {
        var csv = CSVText(
            header: ["task", "state", "first_ts", "terminal_ts", "duration_s", "events", "actor", "source", "stage", "partial"],
            excelSafe: options.excelSafe)
        for o in outcomes {
            csv.appendRow([
                o.task, o.state, Timestamp.format(o.firstTimestamp), Timestamp.format(o.terminalTimestamp),
                o.duration.map(ReportNumber.seconds) ?? "", String(o.events), o.actor, o.source, o.stage,
                o.partial ? "true" : "false",
            ])
        }
        return csv.text
    }

    private func violationsCSV() -> String {
        var csv = CSVText(
            header: ["file", "line", "task", "kind", "from_state", "to_state", "ts", "event_id", "message"],
            excelSafe: options.excelSafe)
        for v in violations {
            csv.appendRow([
                v.file, v.line.map(String.init) ?? "", v.task ?? "", v.kind.rawValue, v.fromState ?? "",
                v.toState ?? "", v.timestamp.map(Timestamp.format) ?? "", v.eventID ?? "", v.message,
            ])
        }
        return csv.text
    }

    private func staleCSV() -> String {
        var csv = CSVText(
            header: ["task", "state", "last_ts", "age_s", "actor", "source", "stage"],
            excelSafe: options.excelSafe)
        for s in stale {
            csv.appendRow([
                s.snapshot.task, s.snapshot.state, Timestamp.format(s.snapshot.lastTimestamp),
                ReportNumber.seconds(s.age), s.snapshot.actor, s.snapshot.source, s.snapshot.stage,
            ])
        }
        return csv.text
    }
}
