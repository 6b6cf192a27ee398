/// The page's one stylesheet, inline: system fonts only (nothing to fetch), colours as custom
/// properties with a light scheme, a dark one for `prefers-color-scheme: dark`, and a print
/// layout (light colours, no shadows, no section split across pages).
package enum HTMLStyle {
    package static let css = """
        :root { --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --panel: #f6f8fa; --line: #d1d9e0;
          --bar: #0969da; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --neutral: #6e7781;
          --edge: #57606a; --refused: #cf222e; --node: #ffffff; --mark: #8250df; color-scheme: light dark; }
        @media (prefers-color-scheme: dark) {
          :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --panel: #161b22; --line: #3d444d;
            --bar: #4493f8; --ok: #3fb950; --bad: #f85149; --warn: #d29922; --neutral: #8b949e;
            --edge: #9198a1; --refused: #ff7b72; --node: #0d1117; --mark: #bc8cff; }
        }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 980px; padding: 24px; background: var(--bg); color: var(--fg);
          font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
        h1 { font-size: 1.6em; margin: 0 0 4px; }
        h2 { font-size: 1.25em; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
        h3 { font-size: 1.02em; margin: 18px 0 6px; }
        .where { color: var(--muted); margin: 0; overflow-wrap: anywhere; }
        .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 8px; margin: 0; }
        .tile { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
        .tile dt { color: var(--muted); font-size: .85em; }
        .tile dd { margin: 0; font-size: 1.35em; font-variant-numeric: tabular-nums; }
        figure { margin: 8px 0 16px; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 0 24px; }
        figcaption { color: var(--muted); font-size: .85em; }
        svg.chart { display: block; max-width: 100%; height: auto; font: 12px system-ui, "DejaVu Sans", sans-serif; }
        svg text { fill: var(--fg); }
        svg .label { text-anchor: end; }
        svg .axis, svg .count { fill: var(--muted); }
        svg line.axis { stroke: var(--line); }
        svg .heading { font-weight: 600; }
        rect.bar { fill: var(--bar); }
        rect.bar.outcome[data-name="SUCCEEDED"] { fill: var(--ok); }
        rect.bar.outcome[data-name="FAILED"], rect.bar.outcome[data-name="TIMED_OUT"] { fill: var(--bad); }
        rect.bar.outcome[data-name="CANCELLED"] { fill: var(--neutral); }
        rect.bar.violation { fill: var(--warn); }
        rect.bin.duration { fill: var(--bar); }
        rect.bin.timeline { fill: var(--warn); }
        line.pct { stroke: var(--mark); stroke-width: 2; stroke-dasharray: 4 2; }
        .pct-label { fill: var(--mark); font-size: 11px; }
        g.node rect { fill: var(--node); stroke: var(--fg); stroke-width: 1.5; }
        g.node.terminal rect { stroke-width: 3; }
        g.node.start rect { fill: var(--panel); }
        g.node.unknown rect { stroke: var(--refused); stroke-dasharray: 3 2; }
        g.node.unseen { opacity: .4; }
        path.edge { fill: none; stroke: var(--edge); stroke-width: 1.6; }
        path.edge.refused { stroke: var(--refused); stroke-dasharray: 6 4; }
        .arrowhead { fill: var(--edge); }
        .arrowhead.refused { fill: var(--refused); }
        .edge-count { font-size: 11px; paint-order: stroke; stroke: var(--bg); stroke-width: 4px; stroke-linejoin: round; }
        .edge-count.refused { fill: var(--refused); font-weight: 600; }
        .legend svg { vertical-align: middle; }
        .swatch { stroke: var(--edge); stroke-width: 2; }
        .swatch.refused { stroke: var(--refused); stroke-dasharray: 6 4; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-size: .9em; }
        th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: var(--panel); }
        td.task, td.ts { font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
        td.task { max-width: 28em; }
        .number { text-align: right; font-variant-numeric: tabular-nums; }
        .more, .untimed { color: var(--muted); font-size: .9em; }
        @media print {
          :root { --bg: #ffffff; --fg: #000000; --muted: #444444; --panel: #f2f2f2; --line: #bbbbbb; --node: #ffffff; }
          body { max-width: none; padding: 0; font-size: 11pt; }
          section, figure, tr { break-inside: avoid; }
          .scroll { overflow: visible; }
        }

        """
}
