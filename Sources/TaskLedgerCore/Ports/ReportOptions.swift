/// What a report covers and which files it writes (SPEC §6).
public struct ReportOptions: Sendable, Equatable {
    /// The files a report can write.
    public enum Format: String, Sendable, CaseIterable, Comparable {
        /// `outcomes.csv`, `violations.csv`, `stale.csv`.
        case csv
        /// `report.md`.
        case md
        /// `summary.json`.
        case json
        /// `junit.xml`.
        case junit
        /// `report.html`: one self-contained page with SVG charts, for people in a browser.
        case html

        /// Orders formats as ``allCases`` lists them: csv, md, json, junit, html.
        public static func < (lhs: Format, rhs: Format) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// The report's "now" in epoch ms: stale ages are measured from it. The caller resolves
    /// `--now latest` through ``Ledger/latestTimestamp()``, so the library never reads a clock.
    public var now: Int64
    /// Inclusive lower bound on event ts (epoch ms); nil for no bound.
    public var since: Int64?
    /// Exclusive upper bound on event ts (epoch ms); nil for no bound.
    ///
    /// With a window, only `task_events` and `import_rejects` rows whose ts lies in
    /// `[since, until)` count: rejects without a ts are left out, outcomes are the tasks whose
    /// terminal ts lies in the window. Open and stale tasks describe the ledger at `now`.
    public var until: Int64?
    /// Prefix cells that spreadsheets would read as formulas (`=` `+` `-` `@`, tab, CR) with `'`.
    public var excelSafe: Bool
    /// Which files ``Report/write(to:)`` writes.
    public var formats: Set<Format>
    /// The violation kinds that fail the CI job (`--fail-on`): `junit.xml` has a test suite for
    /// each (for every kind when empty), and GitHub annotations are errors for these, warnings
    /// for the others.
    public var failOn: Set<Verdict>

    /// A report at `now` (epoch ms) over the window `[since, until)` (nil: unbounded), writing
    /// `formats` (by default every one).
    public init(
        now: Int64, since: Int64? = nil, until: Int64? = nil, excelSafe: Bool = false,
        formats: Set<Format> = Set(Format.allCases), failOn: Set<Verdict> = []
    ) {
        self.failOn = failOn
        self.now = now
        self.since = since
        self.until = until
        self.excelSafe = excelSafe
        self.formats = formats
    }
}
