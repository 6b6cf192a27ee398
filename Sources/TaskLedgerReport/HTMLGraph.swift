import TaskLedgerCore

/// The observed transitions as an SVG graph, laid out deterministically in three columns: a
/// `start` node (a task's first event), the open states top to bottom in rules order, and the
/// terminal states in rules order (then one `unknown state` node, into which every state the
/// rules do not know is merged, as in the mermaid diagram). Every state of the rules is drawn,
/// those without an observed transition faded. Each edge is one `path.edge` per
/// (from, to, applied) with its event count, bent to one side of its direction so that `a → b`
/// and `b → a` do not overlap; refused transitions (`applied == false`: unknown state, after
/// terminal, illegal transition) are `path.edge.refused`, drawn dashed in red. Coordinates are
/// integers, computed with integer arithmetic.
package struct HTMLTransitionGraph {
    /// The observed transitions, in the report's order.
    package let transitions: [Report.Transition]
    /// The rules' states in order, then terminal states the rules no longer know.
    package let states: [String]
    /// The terminal states, drawn in the right-hand column.
    package let terminal: Set<String>

    private struct Node {
        var label: String
        var cssClass: String
        var x: Int
        var y: Int
    }

    private struct Edge {
        var from: Int
        var to: Int
        var applied: Bool
        var count: Int
    }

    private static let (halfWidth, halfHeight, rowHeight, top) = (72, 16, 64, 40)

    /// Appends the graph and its legend, in a `<figure>`, to `page`.
    package func write(_ page: inout HTMLText) {
        let known = Set(states)
        let unknownSeen = transitions.contains { !known.contains($0.to) || !($0.from.map(known.contains) ?? true) }
        let open = states.filter { !terminal.contains($0) }
        let ends = states.filter(terminal.contains) + (unknownSeen ? [HTMLTransitionGraph.unknown] : [])
        let rows = max(open.count, ends.count, 1)
        let height = HTMLTransitionGraph.top + rows * HTMLTransitionGraph.rowHeight + 8
        func column(_ names: [String], x: Int) -> [(String, Int, Int)] {
            let offset = (rows - names.count) * HTMLTransitionGraph.rowHeight / 2
            return names.enumerated().map {
                ($0.element, x, HTMLTransitionGraph.top + offset + $0.offset * HTMLTransitionGraph.rowHeight + 24)
            }
        }
        var nodes: [Node] = [Node(label: "start", cssClass: "node start", x: 80, y: HTMLTransitionGraph.top + rows * HTMLTransitionGraph.rowHeight / 2)]
        var index: [String: Int] = [:]
        for (name, x, y) in column(open, x: 360) + column(ends, x: 640) {
            index[name] = nodes.count
            let kind = name == HTMLTransitionGraph.unknown ? "node unknown" : terminal.contains(name) ? "node terminal" : "node"
            nodes.append(Node(label: name == HTMLTransitionGraph.unknown ? "unknown state" : name, cssClass: kind, x: x, y: y))
        }
        let edges = mergedEdges { name in name.map { index[known.contains($0) ? $0 : HTMLTransitionGraph.unknown]! } ?? 0 }
        let seen = Set(edges.flatMap { [$0.from, $0.to] })
        let refused = edges.count(where: { !$0.applied })
        let label = "Transition graph: \(edges.count) observed transitions, \(refused) of them refused"
        page.raw("<figure>\n")
        HTMLChart.open(&page, kind: "graph", label: label, width: 740, height: height)
        page.raw("""
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrowhead" d="M0,0L10,5L0,10z"/></marker>\
            <marker id="arrow-refused" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrowhead refused" d="M0,0L10,5L0,10z"/></marker></defs>

            """)
        page.raw("<text class=\"heading\" x=\"80\" y=\"20\" text-anchor=\"middle\">first event</text><text class=\"heading\" x=\"360\" y=\"20\" text-anchor=\"middle\">open states</text><text class=\"heading\" x=\"640\" y=\"20\" text-anchor=\"middle\">terminal states</text>\n")
        for edge in edges { writeEdge(&page, edge, nodes) }
        for (number, node) in nodes.enumerated() {
            page.raw("<g class=\"\(node.cssClass)\(seen.contains(number) ? "" : " unseen")\" data-name=\"")
            page.escaped(node.label)
            page.raw("\"><rect x=\"\(node.x - Self.halfWidth)\" y=\"\(node.y - Self.halfHeight)\" width=\"\(2 * Self.halfWidth)\" height=\"\(2 * Self.halfHeight)\" rx=\"\(node.cssClass == "node start" ? Self.halfHeight : 6)\"/><text x=\"\(node.x)\" y=\"\(node.y + 4)\" text-anchor=\"middle\">")
            page.escaped(node.label)
            page.raw("</text></g>\n")
        }
        page.raw("</svg>\n<figcaption class=\"legend\"><svg width=\"36\" height=\"10\" aria-hidden=\"true\"><line class=\"swatch\" x1=\"0\" y1=\"5\" x2=\"36\" y2=\"5\"/></svg> applied (the count is events) <svg width=\"36\" height=\"10\" aria-hidden=\"true\"><line class=\"swatch refused\" x1=\"0\" y1=\"5\" x2=\"36\" y2=\"5\"/></svg> refused: illegal transition, after terminal, unknown state (recorded, not applied)</figcaption>\n</figure>\n")
    }

    /// One edge per (from node, to node, applied), in the report's transition order; unknown
    /// states merge, so their counts add up.
    private func mergedEdges(_ node: (String?) -> Int) -> [Edge] {
        var edges: [Edge] = []
        var position: [Int: Int] = [:]
        for transition in transitions {
            let (from, to) = (node(transition.from), node(transition.to))
            let key = (from * 65_536 + to) * 2 + (transition.applied ? 1 : 0)
            if let at = position[key] {
                edges[at].count += transition.count
            } else {
                position[key] = edges.count
                edges.append(Edge(from: from, to: to, applied: transition.applied, count: transition.count))
            }
        }
        return edges
    }

    private func writeEdge(_ page: inout HTMLText, _ edge: Edge, _ nodes: [Node]) {
        let (a, b) = (nodes[edge.from], nodes[edge.to])
        let kind = edge.applied ? "edge" : "edge refused"
        let path: String
        let label: (x: Int, y: Int)
        if edge.from == edge.to {
            let x = a.x - Self.halfWidth, y = a.y
            path = "M\(x),\(y - 8)C\(x - 46),\(y - 30) \(x - 46),\(y + 30) \(x),\(y + 8)"
            label = (x - 40, y + 4)
        } else {
            // Bend to the left of the direction: a bigger bend within a column and for refused
            // edges, so that they clear the nodes between and their applied counterparts.
            let (dx, dy) = (b.x - a.x, b.y - a.y)
            let bend = (a.x == b.x ? 3 : 6) - (edge.applied ? 0 : 1)
            let control = ((a.x + b.x) / 2 + dy / bend, (a.y + b.y) / 2 - dx / bend)
            let start = Self.boundary(of: a, toward: control)
            let end = Self.boundary(of: b, toward: control)
            path = "M\(start.x),\(start.y)Q\(control.0),\(control.1) \(end.x),\(end.y)"
            label = ((start.x + 2 * control.0 + end.x) / 4, (start.y + 2 * control.1 + end.y) / 4 + 4)
        }
        page.raw("<path class=\"\(kind)\" data-from=\"")
        page.escaped(a.label)
        page.raw("\" data-to=\"")
        page.escaped(b.label)
        page.raw("\" data-count=\"\(edge.count)\" d=\"\(path)\" marker-end=\"url(#\(edge.applied ? "arrow" : "arrow-refused"))\"><title>")
        page.escaped(a.label)
        page.raw(" → ")
        page.escaped(b.label)
        page.raw(": \(edge.count)\(edge.applied ? "" : " refused")</title></path>")
        page.raw("<text class=\"edge-count\(edge.applied ? "" : " refused")\" x=\"\(label.x)\" y=\"\(label.y)\" text-anchor=\"middle\">\(edge.count)</text>\n")
    }

    /// Where the line from a node's centre toward `point` leaves its box.
    private static func boundary(of node: Node, toward point: (Int, Int)) -> (x: Int, y: Int) {
        let (dx, dy) = (point.0 - node.x, point.1 - node.y)
        if dx == 0 && dy == 0 { return (node.x, node.y) }
        if abs(dx) * halfHeight > abs(dy) * halfWidth {
            return (node.x + (dx > 0 ? halfWidth : -halfWidth), node.y + dy * halfWidth / abs(dx))
        }
        return (node.x + dx * halfHeight / abs(dy), node.y + (dy > 0 ? halfHeight : -halfHeight))
    }

    private static let unknown = "\u{0}unknown"
}
