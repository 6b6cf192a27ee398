import TaskLedgerCore

/// The durations of each terminal state as a histogram, one chart per state with measured
/// tasks (partial tasks have no duration), all on the same bins so that states compare, with
/// the nearest-rank p50, p90 and p99 of ``Report/durationPercentiles`` marked as `line.pct`.
///
/// Bins are fixed, roughly logarithmic, and read as round durations: `[0, 1ms)`, then between
/// consecutive ``edges`` (1 2 5 10 20 50 100 200 500 ms, 1 2 5 10 30 s, 1 2 5 10 30 m,
/// 1 2 6 12 h, 1 2 7 d, then doubling), a duration going to the bin whose lower edge is the
/// largest edge at or below it. The charts draw every bin from the one holding the shortest
/// measured duration of any state to the one holding the longest, empty ones too.
package struct HTMLDurationHistograms {
    /// The report whose outcomes and percentiles are drawn.
    package let report: Report

    /// The lower edges of the first bins, in ms.
    package static let edges: [Int64] = {
        let (s, m, h, d): (Int64, Int64, Int64, Int64) = (1000, 60_000, 3_600_000, 86_400_000)
        return [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, s, 2 * s, 5 * s, 10 * s, 30 * s,
                m, 2 * m, 5 * m, 10 * m, 30 * m, h, 2 * h, 6 * h, 12 * h, d, 2 * d, 7 * d]
    }()

    /// The lower edge of bin `index` (``edges``, then doubling past 7 days).
    package static func edge(_ index: Int) -> Int64 {
        index < edges.count ? edges[index] : edges[edges.count - 1] << min(40, index - edges.count + 1)
    }

    /// The bin a duration (ms) falls in.
    package static func bin(_ duration: Int64) -> Int {
        var index = 0
        while edge(index + 1) <= duration && index < edges.count + 40 { index += 1 }
        return index
    }

    private static let (left, plotWidth, top, plotHeight) = (48, 372, 58, 70)

    /// Appends one histogram per terminal state with measured tasks, or a line saying there is none.
    package func write(_ page: inout HTMLText) {
        var byState: [String: [Int]] = [:]
        var lowest = Int.max, highest = Int.min
        for (state, durations) in report.tally.durations {
            let bins = durations.map(Self.bin)
            byState[state] = bins
            lowest = min(lowest, bins.min() ?? .max)
            highest = max(highest, bins.max() ?? .min)
        }
        guard lowest <= highest else {
            page.raw("<p>No task was measured from its start to its end.</p>\n")
            return
        }
        for (state, count, percentiles) in report.durationPercentiles {
            guard let percentiles, let bins = byState[state] else { continue }
            var counts = [Int](repeating: 0, count: highest - lowest + 1)
            for bin in bins { counts[bin - lowest] += 1 }
            writeChart(&page, state: state, measured: count, counts: counts, firstBin: lowest, percentiles: percentiles)
        }
    }

    private func writeChart(
        _ page: inout HTMLText, state: String, measured: Int, counts: [Int], firstBin: Int, percentiles: Percentiles
    ) {
        let largest = max(1, counts.max() ?? 0)
        let columns = counts.count
        // An edge label every `step` columns, so that labels (up to ~40 px) never overlap.
        let step = (columns * 44 + Self.plotWidth - 1) / Self.plotWidth
        func x(_ column: Int) -> Int { Self.left + column * Self.plotWidth / columns }
        let bottom = Self.top + Self.plotHeight
        page.raw("<figure>\n")
        var label = "Durations of "
        label += state
        label += " tasks (\(measured)): p50 " + ReportNumber.seconds(percentiles.p50) + " s, p90 "
            + ReportNumber.seconds(percentiles.p90) + " s, p99 " + ReportNumber.seconds(percentiles.p99) + " s"
        HTMLChart.open(&page, kind: "histogram", label: label, width: Self.left + Self.plotWidth + 40, height: bottom + 24)
        page.raw("<text class=\"heading\" x=\"0\" y=\"14\">")
        page.escaped(state)
        page.raw(" (\(measured))</text>")
        page.raw("<text class=\"axis\" x=\"\(Self.left - 6)\" y=\"\(Self.top + 10)\" text-anchor=\"end\">\(largest)</text>\n")
        for (column, count) in counts.enumerated() {
            let (low, high) = (Self.edge(firstBin + column), Self.edge(firstBin + column + 1))
            let height = count * Self.plotHeight / largest
            let range = "[" + HTMLChart.duration(low) + ", " + HTMLChart.duration(high) + ")"
            page.raw("<rect class=\"bin duration\" data-count=\"\(count)\" data-range=\"\(range)\" x=\"\(x(column))\" y=\"\(bottom - height)\" width=\"\(x(column + 1) - x(column) - 1)\" height=\"\(height)\"><title>\(range): \(count)</title></rect>\n")
            if column % step == 0 {
                page.raw("<text class=\"axis\" x=\"\(x(column))\" y=\"\(bottom + 16)\">\(HTMLChart.duration(low))</text>\n")
            } else {
                page.raw("\n")
            }
        }
        page.raw("<line class=\"axis\" x1=\"\(Self.left)\" y1=\"\(bottom)\" x2=\"\(Self.left + Self.plotWidth)\" y2=\"\(bottom)\"/>\n")
        let marks = [("p50", percentiles.p50), ("p90", percentiles.p90), ("p99", percentiles.p99)]
        for (row, (name, value)) in marks.enumerated() {
            let column = Self.bin(value) - firstBin
            let (low, high) = (Self.edge(firstBin + column), Self.edge(firstBin + column + 1))
            // Linear within the bin: integers only, so the bytes never depend on float printing.
            let offset = Int((value - low) * Int64(x(column + 1) - x(column)) / max(1, high - low))
            let at = x(column) + offset
            page.raw("<line class=\"pct \(name)\" data-value=\"\(ReportNumber.seconds(value))\" x1=\"\(at)\" y1=\"\(Self.top - 2)\" x2=\"\(at)\" y2=\"\(bottom)\"><title>\(name) \(ReportNumber.seconds(value)) s</title></line>")
            // Right of the line in the chart's left half, left of it in the right half.
            let place = at - Self.left > Self.plotWidth / 2 ? "x=\"\(at - 3)\" text-anchor=\"end\"" : "x=\"\(at + 3)\""
            page.raw("<text class=\"pct-label\" \(place) y=\"\(Self.top - 26 + row * 11)\">\(name) \(ReportNumber.seconds(value)) s</text>\n")
        }
        page.raw("</svg>\n</figure>\n")
    }
}
