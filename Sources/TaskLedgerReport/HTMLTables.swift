import TaskLedgerCore

/// The page's tables: the first violations of each kind and the stalest tasks, as many rows as
/// `report.md` lists, every cell escaped by ``HTMLText/escaped(_:)``.
package enum HTMLTables {
    /// Per kind with violations: a heading with its count and a table of its first examples.
    package static func writeViolations(_ violations: [Report.Violation], counts: [Verdict: Int], to page: inout HTMLText) {
        var examples: [Verdict: [Report.Violation]] = [:]
        for violation in violations where examples[violation.kind, default: []].count < Report.markdownExamples {
            examples[violation.kind, default: []].append(violation)
        }
        for kind in counts.keys.sorted() where counts[kind]! > 0 {
            let total = counts[kind]!
            page.raw("<h3>\(kind.rawValue) (\(total))</h3>\n<div class=\"scroll\"><table class=\"violations\" data-kind=\"\(kind.rawValue)\">\n<thead><tr><th>where</th><th>task</th><th>ts</th><th>message</th></tr></thead>\n<tbody>\n")
            for violation in examples[kind] ?? [] {
                page.raw("<tr><td>")
                if let line = violation.line {
                    page.escaped(violation.file)
                    page.raw(":\(line)")
                } else {
                    page.raw("live write")
                }
                page.raw("</td>")
                cell(&page, violation.task ?? "", cssClass: "task")
                cell(&page, violation.timestamp.map(Timestamp.format) ?? "", cssClass: "ts")
                cell(&page, violation.message, cssClass: nil)
                page.raw("</tr>\n")
            }
            page.raw("</tbody>\n</table></div>\n")
            if total > Report.markdownExamples {
                page.raw("<p class=\"more\">First \(Report.markdownExamples) of \(total); all are in violations.csv.</p>\n")
            }
        }
    }

    /// The stalest tasks, oldest first, or a line saying there is none.
    package static func writeStale(_ stale: [StaleTask], to page: inout HTMLText) {
        guard !stale.isEmpty else {
            page.raw("<p>No stale task.</p>\n")
            return
        }
        page.raw("<div class=\"scroll\"><table class=\"stale\">\n<thead><tr><th>task</th><th>state</th><th>last ts</th><th class=\"number\">age (s)</th></tr></thead>\n<tbody>\n")
        for task in stale.prefix(Report.markdownStaleRows) {
            page.raw("<tr>")
            cell(&page, task.snapshot.task, cssClass: "task")
            cell(&page, task.snapshot.state, cssClass: nil)
            cell(&page, Timestamp.format(task.snapshot.lastTimestamp), cssClass: "ts")
            page.raw("<td class=\"number\">" + ReportNumber.seconds(task.age) + "</td></tr>\n")
        }
        page.raw("</tbody>\n</table></div>\n")
        if stale.count > Report.markdownStaleRows {
            page.raw("<p class=\"more\">Oldest \(Report.markdownStaleRows) of \(stale.count); all are in stale.csv.</p>\n")
        }
    }

    /// One `<td>` holding `text`, escaped.
    private static func cell(_ page: inout HTMLText, _ text: String, cssClass: String?) {
        page.raw(cssClass.map { "<td class=\"\($0)\">" } ?? "<td>")
        page.escaped(text)
        page.raw("</td>")
    }
}
