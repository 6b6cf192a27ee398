import TaskLedgerCore

extension Report {
    /// `report.html`: one self-contained page for people — headline numbers, outcomes per
    /// terminal state, duration histograms with p50/p90/p99, violations per kind and over
    /// time, the transition graph, and tables of the first violations of each kind and of the stalest tasks — drawn as inline
    /// SVG with inline CSS (light and dark schemes, a print layout). It has no JavaScript and
    /// fetches nothing: a Content-Security-Policy forbids scripts and every request. Every
    /// value from the ledger is HTML-escaped (``HTMLText/escaped(_:)``), and the bytes depend
    /// on the report alone, so the same ledger and `now` give the same file.
    ///
    /// Each chart carries classes a test can count: `rect.bar` (one per state or kind, with
    /// `data-name` and `data-count`), `rect.bin` (histogram and timeline bins, `data-count`),
    /// `line.pct` (percentile marks), `g.node` and `path.edge` (`path.edge.refused` for
    /// transitions the ledger refused), each SVG with `role="img"`, an `aria-label` and a
    /// `<title>`. The markup is also well-formed XML (void elements closed with `/>`), so that
    /// an XML parser can check that no value broke out of its element.
    public var html: String {
        let rows = min(violations.count, Verdict.allCases.count * Report.markdownExamples)
            + min(stale.count, Report.markdownStaleRows)
        var page = HTMLText(capacity: 32_768 + 320 * rows + 8 * Report.htmlTimelineMaxBins)
        page.raw(
            """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <meta name="color-scheme" content="light dark"/>
            <title>Task ledger report</title>
            <style>

            """)
        page.raw(HTMLStyle.css)
        page.raw("</style>\n</head>\n<body>\n<header>\n<h1>Task ledger report</h1>\n<p class=\"where\">")
        page.escaped(ledgerPath)
        page.raw(" at <time>" + Timestamp.format(options.now) + "</time>")
        if options.since != nil || options.until != nil {
            page.raw(", events from " + (options.since.map(Timestamp.format) ?? "the start")
                + " until " + (options.until.map(Timestamp.format) ?? "the end"))
        }
        page.raw("</p>\n</header>\n<main>\n")
        writeHeadline(&page)
        writeOutcomeSection(&page)
        writeDurationSection(&page)
        writeViolationSection(&page)
        writeTransitionSection(&page)
        writeExampleSection(&page)
        writeStaleSection(&page)
        page.raw("</main>\n</body>\n</html>\n")
        return page.text
    }

    /// The headline numbers as a definition list of tiles.
    private func writeHeadline(_ page: inout HTMLText) {
        let partial = partialCounts
        let rate = successRate.map { ReportNumber.ratio($0.succeeded, $0.terminal) } ?? "–"
        let tiles: [(String, String)] = [
            ("lines", String(lines)), ("events", String(events)), ("tasks", String(tasks)),
            ("terminal", String(tally.count)), ("open", String(open)), ("stale", String(stale.count)),
            ("violations", String(violations.count)), ("rejects", String(rejects)), ("success rate", rate),
            ("partial (ended / open)", "\(partial.terminal) / \(partial.open)"),
        ]
        page.raw("<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"tiles\">\n")
        for (name, value) in tiles {
            page.raw("<div class=\"tile\"><dt>\(name)</dt><dd data-name=\"\(name)\">\(value)</dd></div>\n")
        }
        page.raw("</dl>\n</section>\n")
    }

    private func writeOutcomeSection(_ page: inout HTMLText) {
        page.raw("<section id=\"outcomes\">\n<h2>Outcomes</h2>\n")
        HTMLBarChart(
            label: "Terminal tasks per state", kind: "outcome",
            bars: terminalCounts.map { ($0.state, $0.count) }
        ).write(&page)
        page.raw("</section>\n")
    }

    private func writeDurationSection(_ page: inout HTMLText) {
        page.raw("<section id=\"durations\">\n<h2>Durations</h2>\n<div class=\"grid\">\n")
        HTMLDurationHistograms(report: self).write(&page)
        page.raw("</div>\n<p class=\"more\">Bins: under 1 ms, then from 1 2 5 10 20 50 100 200 500 ms, 1 2 5 10 30 s, 1 2 5 10 30 m, 1 2 6 12 h, 1 2 7 d (doubling after); partial tasks have no duration. The dashed lines mark the nearest-rank p50, p90 and p99, as in summary.json.</p>\n</section>\n")
    }

    private func writeViolationSection(_ page: inout HTMLText) {
        let counts = violationCounts
        page.raw("<section id=\"violations\">\n<h2>Violations</h2>\n")
        HTMLBarChart(
            label: "Violations per kind", kind: "violation",
            bars: counts.keys.sorted().map { ($0.rawValue, counts[$0]!) }
        ).write(&page)
        page.raw("<h3>Over time</h3>\n")
        HTMLViolationTimeline(violations: violations).write(&page)
        page.raw("</section>\n")
    }

    private func writeExampleSection(_ page: inout HTMLText) {
        page.raw("<section id=\"examples\">\n<h2>Violations by kind</h2>\n")
        HTMLTables.writeViolations(violations, counts: violationCounts, to: &page)
        if violations.isEmpty { page.raw("<p>No violation.</p>\n") }
        page.raw("</section>\n")
    }

    private func writeTransitionSection(_ page: inout HTMLText) {
        page.raw("<section id=\"transitions\">\n<h2>Transitions</h2>\n")
        HTMLTransitionGraph(
            transitions: transitions, states: knownStates + terminalStates.filter { !knownStates.contains($0) },
            terminal: Set(terminalStates)
        ).write(&page)
        page.raw("</section>\n")
    }

    private func writeStaleSection(_ page: inout HTMLText) {
        page.raw("<section id=\"stale\">\n<h2>Stale tasks</h2>\n")
        HTMLTables.writeStale(stale, to: &page)
        page.raw("</section>\n")
    }
}
