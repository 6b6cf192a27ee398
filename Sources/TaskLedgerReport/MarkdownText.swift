import TaskLedgerCore

/// Escaping for text that GitHub renders as Markdown.
package enum MarkdownText {
    /// A table cell that renders as the literal text whatever it holds: `|` and Markdown
    /// punctuation backslash-escaped, `<` `>` `&` as entities, line breaks as spaces.
    package static func cell(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\t": out += " "
            case "\\", "`", "*", "_", "[", "]", "|", "~", "#", "@", "$", "!", "{", "}", "(", ")", ":":
                out += "\\"
                out.unicodeScalars.append(scalar)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A table: header cells, an alignment row (`---` or `--:` for numbers), one row per line.
    /// Cells are escaped here.
    package static func table(_ header: [String], numeric: Set<Int> = [], _ rows: [[String]]) -> String {
        func row(_ cells: [String]) -> String { "| " + cells.map(cell).joined(separator: " | ") + " |\n" }
        let alignment = "|" + header.indices.map { numeric.contains($0) ? " --: |" : " --- |" }.joined() + "\n"
        return row(header) + alignment + rows.map(row).joined()
    }
}
