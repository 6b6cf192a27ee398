import TaskLedgerCore

/// The `stateDiagram-v2` of observed transitions. States become ids `s0`, `s1`… (in
/// first-seen order of the sorted transitions) labelled with their name, so that no state
/// string can break the diagram; every unknown state is drawn as one `unknown` node.
///
/// Every line has one of these shapes:
/// `stateDiagram-v2` · `state "LABEL" as sN` · `[*] --> sN: COUNT` · `sN --> sM: COUNT` ·
/// `sN --> sM: ❌ COUNT` (refused) · `sN --> [*]` (terminal), indented by four spaces.
package struct MermaidDiagram {
    package let transitions: [Report.Transition]
    package let rules: (known: Set<String>, terminal: Set<String>)

    package var text: String {
        var ids: [String: String] = [:]
        var nodes: [(state: String, id: String)] = []
        var declarations: [String] = []
        func id(_ state: String) -> String {
            let node = rules.known.contains(state) ? state : MermaidDiagram.unknown
            if let id = ids[node] { return id }
            let id = node == MermaidDiagram.unknown ? "unknown" : "s\(nodes.count(where: { $0.id != "unknown" }))"
            ids[node] = id
            nodes.append((node, id))
            declarations.append("state \"\(node == MermaidDiagram.unknown ? "unknown state" : MermaidDiagram.label(node))\" as \(id)")
            return id
        }
        // Unknown states merge into one node: sum their counts per edge.
        var edges: [(from: String, to: String, applied: Bool, count: Int)] = []
        var index: [String: Int] = [:]
        for t in transitions {
            let from = t.from.map(id) ?? "[*]"
            let to = id(t.to)
            let key = "\(from) \(to) \(t.applied)"
            if let i = index[key] {
                edges[i].count += t.count
            } else {
                index[key] = edges.count
                edges.append((from, to, t.applied, t.count))
            }
        }
        var lines = ["stateDiagram-v2"] + declarations.map { "    " + $0 }
        for e in edges {
            lines.append("    \(e.from) --> \(e.to): \(e.applied ? "" : "❌ ")\(e.count)")
        }
        for (state, id) in nodes where rules.terminal.contains(state) {
            lines.append("    \(id) --> [*]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static let unknown = "\u{0}unknown"

    /// A label mermaid cannot misread: letters, digits, `_`, `-`, `.` and spaces; anything
    /// else becomes `_` (canonical states are normalised, so this only bites odd rules files).
    package static func label(_ state: String) -> String {
        String(state.unicodeScalars.prefix(60).map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                || "_-. ".unicodeScalars.contains(scalar)) ? Character(scalar) : "_"
        })
    }
}
