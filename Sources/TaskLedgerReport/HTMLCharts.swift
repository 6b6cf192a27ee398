import TaskLedgerCore

/// A horizontal bar chart, one `rect.bar` per bar, in the order given, zeros included (a
/// zero is drawn as no bar beside its count). Coordinates are integers, so the bytes do not
/// depend on floating-point formatting.
package struct HTMLBarChart {
    /// What the chart shows: its `aria-label` and `<title>`.
    package let label: String
    /// Added to every bar's class (`bar outcome`, `bar violation`), so the page colours them.
    package let kind: String
    /// Name and count of each bar.
    package let bars: [(name: String, count: Int)]

    private static let (labelWidth, barWidth, rowHeight) = (170, 380, 26)

    /// Appends the chart, in a `<figure>`, to `page`.
    package func write(_ page: inout HTMLText) {
        let width = Self.labelWidth + Self.barWidth + 70
        let height = bars.count * Self.rowHeight + 8
        let largest = max(1, bars.map(\.count).max() ?? 0)
        page.raw("<figure>\n")
        HTMLChart.open(&page, kind: "bars", label: label, width: width, height: height)
        for (index, bar) in bars.enumerated() {
            let y = 4 + index * Self.rowHeight
            let length = bar.count == 0 ? 0 : max(2, bar.count * Self.barWidth / largest)
            page.raw("<text class=\"label\" x=\"\(Self.labelWidth - 8)\" y=\"\(y + 17)\">")
            page.escaped(bar.name)
            page.raw("</text><rect class=\"bar \(kind)\" data-name=\"")
            page.escaped(bar.name)
            page.raw("\" data-count=\"\(bar.count)\" x=\"\(Self.labelWidth)\" y=\"\(y + 3)\" width=\"\(length)\" height=\"18\"><title>")
            page.escaped(bar.name)
            page.raw(": \(bar.count)</title></rect><text class=\"count\" x=\"\(Self.labelWidth + length + 6)\" y=\"\(y + 17)\">\(bar.count)</text>\n")
        }
        page.raw("</svg>\n</figure>\n")
    }
}

/// Pieces every chart shares.
package enum HTMLChart {
    /// `<svg …>` with its accessible name (`role="img"`, `aria-label`, `<title>`).
    package static func open(_ page: inout HTMLText, kind: String, label: String, width: Int, height: Int) {
        page.raw("<svg class=\"chart \(kind)\" role=\"img\" aria-label=\"")
        page.escaped(label)
        page.raw("\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\"><title>")
        page.escaped(label)
        page.raw("</title>\n")
    }

    /// A duration in ms for an axis: `500ms`, `2s`, `5m`, `2h`, `7d`, or `90s`-style mixed
    /// units written as the largest whole unit and the rest in seconds.
    package static func duration(_ ms: Int64) -> String {
        let units: [(Int64, String)] = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s")]
        for (size, name) in units where ms >= size && ms % size == 0 { return "\(ms / size)\(name)" }
        return ms < 1000 ? "\(ms)ms" : ReportNumber.seconds(ms) + "s"
    }
}

extension Report {
    /// The most bins the violations timeline draws (see ``HTMLViolationTimeline``).
    package static let htmlTimelineMaxBins = 48
}

/// Violations over time: a column per time bin, by the violations' own ts; those without a ts
/// (rejected lines with none, or none valid) are counted in a line below the chart.
///
/// Bins: the first width in ``widths`` (1 s, 5 s, 15 s, 1 m, 5 m, 15 m, 1 h, 3 h, 6 h, 12 h,
/// 1 d, 7 d, 30 d, 365 d, then doubling) for which the span from the earliest to the latest ts
/// takes at most ``Report/htmlTimelineMaxBins`` bins, each bin starting at a multiple of the
/// width since the epoch (UTC); every bin from the first to the last is drawn, empty ones too.
package struct HTMLViolationTimeline {
    /// The report's violations, in any order.
    package let violations: [Report.Violation]

    /// The bin widths tried in turn, in ms.
    package static let widths: [Int64] = [
        1000, 5000, 15_000, 60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000,
        86_400_000, 604_800_000, 2_592_000_000, 31_536_000_000,
    ]

    /// The bin width and the first bin's start for ts from `earliest` to `latest`.
    package static func bins(earliest: Int64, latest: Int64) -> (width: Int64, start: Int64, count: Int) {
        func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
        var width = widths[0]
        var index = 0
        while true {
            let first = floorDiv(earliest, width)
            let count = Int(floorDiv(latest, width) - first + 1)
            if count <= Report.htmlTimelineMaxBins { return (width, first * width, count) }
            index += 1
            width = index < widths.count ? widths[index] : width * 2
        }
    }

    /// Appends the chart (or a line saying no violation has a ts) and the count of those without.
    package func write(_ page: inout HTMLText) {
        var earliest = Int64.max, latest = Int64.min, untimed = 0
        for violation in violations {
            guard let ts = violation.timestamp else { untimed += 1; continue }
            earliest = min(earliest, ts)
            latest = max(latest, ts)
        }
        if earliest <= latest {
            let bins = Self.bins(earliest: earliest, latest: latest)
            var counts = [Int](repeating: 0, count: bins.count)
            for violation in violations {
                if let ts = violation.timestamp { counts[Int((ts - bins.start) / bins.width)] += 1 }
            }
            writeChart(&page, counts: counts, start: bins.start, width: bins.width)
        } else {
            page.raw("<p>No violation has a ts.</p>\n")
        }
        page.raw("<p class=\"untimed\" data-count=\"\(untimed)\">\(untimed) violation\(untimed == 1 ? "" : "s") without a ts (lines rejected before a valid ts was read) \(untimed == 1 ? "is" : "are") not in the timeline.</p>\n")
    }

    private func writeChart(_ page: inout HTMLText, counts: [Int], start: Int64, width: Int64) {
        let (left, plotWidth, top, plotHeight) = (44, 580, 8, 120)
        let largest = max(1, counts.max() ?? 0)
        page.raw("<figure>\n")
        HTMLChart.open(
            &page, kind: "timeline",
            label: "Violations over time, \(HTMLChart.duration(width)) bins from \(Timestamp.format(start))",
            width: left + plotWidth + 16, height: top + plotHeight + 36)
        page.raw("<text class=\"axis\" x=\"\(left - 6)\" y=\"\(top + 10)\" text-anchor=\"end\">\(largest)</text>")
        page.raw("<text class=\"axis\" x=\"\(left - 6)\" y=\"\(top + plotHeight)\" text-anchor=\"end\">0</text>\n")
        for (index, count) in counts.enumerated() {
            let x = left + index * plotWidth / counts.count
            let columnWidth = max(1, left + (index + 1) * plotWidth / counts.count - x - 1)
            let height = count * plotHeight / largest
            let binStart = start + Int64(index) * width
            page.raw("<rect class=\"bin timeline\" data-count=\"\(count)\" data-start=\"\(Timestamp.format(binStart))\" x=\"\(x)\" y=\"\(top + plotHeight - height)\" width=\"\(columnWidth)\" height=\"\(height)\"><title>\(Timestamp.format(binStart)) +\(HTMLChart.duration(width)): \(count)</title></rect>\n")
        }
        let bottom = top + plotHeight
        page.raw("<line class=\"axis\" x1=\"\(left)\" y1=\"\(bottom)\" x2=\"\(left + plotWidth)\" y2=\"\(bottom)\"/>\n")
        page.raw("<text class=\"axis\" x=\"\(left)\" y=\"\(bottom + 16)\">\(Timestamp.format(start))</text>")
        page.raw("<text class=\"axis\" x=\"\(left + plotWidth)\" y=\"\(bottom + 30)\" text-anchor=\"end\">\(Timestamp.format(start + Int64(counts.count) * width))</text>\n")
        page.raw("</svg>\n<figcaption>\(HTMLChart.duration(width)) per column, UTC.</figcaption>\n</figure>\n")
    }
}
