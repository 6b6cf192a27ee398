import TaskLedgerCore

extension Report {
    /// How many examples of each violation kind, and how many stale tasks, `report.md` lists.
    package static let markdownExamples = 20
    package static let markdownStaleRows = 50

    /// `report.md`: headline numbers, outcomes by state, violations by kind with examples,
    /// the stale list and a mermaid diagram of observed transitions. Every cell is escaped so
    /// that GitHub renders it as text whatever task ids hold; the CLI appends it to
    /// `$GITHUB_STEP_SUMMARY`.
    public var markdown: String {
        var md = "# Task ledger report\n\n"
        md += MarkdownText.cell(ledgerPath) + " at " + Timestamp.format(options.now)
        if options.since != nil || options.until != nil {
            md += ", events from " + (options.since.map(Timestamp.format) ?? "the start")
                + " until " + (options.until.map(Timestamp.format) ?? "the end")
        }
        md += "\n\n" + headline + "\n## Outcomes\n\n" + outcomeTable
        md += "\n## Violations\n\n" + violationSection
        md += "\n## Stale tasks\n\n" + staleSection
        md += "\n## Transitions\n\n```mermaid\n" + MermaidDiagram(
            transitions: transitions,
            rules: (Set(knownStates + terminalStates), Set(terminalStates))
        ).text + "```\n"
        return md
    }

    private var headline: String {
        let rate = successRate.map { ReportNumber.ratio($0.succeeded, $0.terminal) } ?? "–"
        return MarkdownText.table(
            ["lines", "events", "tasks", "terminal", "open", "stale", "violations", "rejects", "success rate"],
            numeric: Set(0..<9),
            [[String(lines), String(events), String(tasks), String(tally.count), String(open),
              String(stale.count), String(violations.count), String(rejects), rate]])
    }

    /// Tasks and durations per terminal state. With partial tasks (first seen mid-lifecycle),
    /// a column counts them and a line says that the durations leave them out.
    private var outcomeTable: String {
        let partial = partialCounts
        let withPartial = partial.terminal + partial.open > 0
        // Both lists are in terminal-state order; the percentiles count only measured tasks, so
        // a state's partial tasks are its tasks less those.
        var md = MarkdownText.table(
            ["state", "tasks"] + (withPartial ? ["partial"] : []) + ["p50 (s)", "p90 (s)", "p99 (s)"],
            numeric: Set(1...(withPartial ? 5 : 4)),
            zip(terminalCounts, durationPercentiles).map { tasks, measured in
                [tasks.state, String(tasks.count)] + (withPartial ? [String(tasks.count - measured.count)] : [])
                    + [measured.percentiles?.p50, measured.percentiles?.p90, measured.percentiles?.p99]
                    .map { $0.map(ReportNumber.seconds) ?? "–" }
            })
        if withPartial {
            md += "\n\(partial.terminal + partial.open) tasks were first seen mid-lifecycle (partial: "
                + "\(partial.terminal) ended, \(partial.open) open); their start is not in the ledger, so the "
                + "durations above leave them out.\n"
        }
        return md
    }

    private var violationSection: String {
        let counts = violationCounts
        var md = MarkdownText.table(
            ["kind", "count"], numeric: [1], counts.keys.sorted().map { [$0.rawValue, String(counts[$0]!)] })
        for kind in counts.keys.sorted() where counts[kind]! > 0 {
            let examples = violations.lazy.filter { $0.kind == kind }.prefix(Report.markdownExamples)
            md += "\n### \(kind.rawValue) (\(counts[kind]!))\n\n"
            md += MarkdownText.table(
                ["where", "task", "message"],
                examples.map { v in
                    [v.line.map { "\(v.file):\($0)" } ?? "live write", v.task ?? "", v.message]
                })
            if counts[kind]! > Report.markdownExamples {
                md += "\nFirst \(Report.markdownExamples) of \(counts[kind]!); all are in violations.csv.\n"
            }
        }
        return md
    }

    private var staleSection: String {
        guard !stale.isEmpty else { return "No stale task.\n" }
        var md = MarkdownText.table(
            ["task", "state", "last ts", "age (s)"], numeric: [3],
            stale.prefix(Report.markdownStaleRows).map {
                [$0.snapshot.task, $0.snapshot.state, Timestamp.format($0.snapshot.lastTimestamp),
                 ReportNumber.seconds($0.age)]
            })
        if stale.count > Report.markdownStaleRows {
            md += "\nOldest \(Report.markdownStaleRows) of \(stale.count); all are in stale.csv.\n"
        }
        return md
    }
}
