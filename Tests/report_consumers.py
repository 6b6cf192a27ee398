#!/usr/bin/env python3
"""Reads a task-ledger report directory with real consumers and checks what they see.

usage: report_consumers.py REPORT_DIR EXPECTATIONS_JSON

EXPECTATIONS_JSON:
  {"csv": {"outcomes.csv": {"rows": N, "column": "task", "values": [...]}, ...},
   "md_table_rows": [body rows of each table, in order],
   "md_cells": [texts that must each be the whole text of some rendered table cell]}

Consumers: Python's csv module, the sqlite3 CLI (.import --csv), DuckDB read_csv_auto,
markdown-it-py (CommonMark + GFM tables), and a line-shape check of the mermaid block.
Exits 1 with one line per problem.
"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile

import duckdb
from markdown_it import MarkdownIt

problems = []


def check(ok, message):
    if not ok:
        problems.append(message)


def check_csv(path, spec):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, strict=True))
    check(len(rows) == spec["rows"], f"csv: {path}: {len(rows)} rows, expected {spec['rows']}")
    values = [row[spec["column"]] for row in rows]
    for value in spec["values"]:
        check(value in values, f"csv: {path}: {spec['column']} {value!r} missing")

    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["sqlite3", os.path.join(tmp, "t.db")],
            input=f".import --csv '{path}' t\nSELECT count(*) FROM t;\n",
            capture_output=True, text=True)
        check(out.returncode == 0 and out.stderr == "", f"sqlite3: {path}: {out.stderr.strip()}")
        check(out.stdout.strip() == str(spec["rows"]),
              f"sqlite3: {path}: {out.stdout.strip()} rows, expected {spec['rows']}")

    con = duckdb.connect()
    got = con.execute(f"SELECT count(*) FROM read_csv_auto(?, header = true)", [path]).fetchone()[0]
    check(got == spec["rows"], f"duckdb: {path}: {got} rows, expected {spec['rows']}")
    if spec["rows"]:
        column = con.execute(
            f'SELECT "{spec["column"]}" FROM read_csv_auto(?, header = true)', [path]).fetchall()
        duck_values = [str(v[0]) if v[0] is not None else "" for v in column]
        for value in spec["values"]:
            check(value in duck_values, f"duckdb: {path}: {spec['column']} {value!r} missing")


def check_markdown(path, table_rows, cells):
    text = open(path, encoding="utf-8").read()
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    counts, cell_texts, in_body, rows = [], set(), False, 0
    for i, token in enumerate(tokens):
        if token.type == "tbody_open":
            in_body, rows = True, 0
        elif token.type == "tbody_close":
            in_body = False
            counts.append(rows)
        elif token.type == "table_close" and (not counts or tokens[i - 1].type != "tbody_close"):
            counts.append(0)
        elif in_body and token.type == "tr_open":
            rows += 1
        elif token.type == "inline" and tokens[i - 1].type in ("td_open", "th_open"):
            cell_texts.add("".join(c.content for c in token.children if c.type in ("text", "text_special")))
            check(all(c.type in ("text", "text_special", "softbreak") for c in token.children),
                  f"markdown: cell renders markup: {token.content!r}")
    check(counts == table_rows, f"markdown: table body rows {counts}, expected {table_rows}")
    for cell in cells:
        check(cell in cell_texts, f"markdown: no cell reads {cell!r}")

    blocks = re.findall(r"```mermaid\n(.*?)```", text, re.S)
    check(len(blocks) == 1, f"markdown: {len(blocks)} mermaid blocks")
    shapes = [r"stateDiagram-v2", r'    state "[A-Za-z0-9_. -]+" as (s[0-9]+|unknown)',
              r"    (\[\*\]|s[0-9]+) --> (s[0-9]+|unknown): (❌ )?[0-9]+", r"    s[0-9]+ --> \[\*\]"]
    for block in blocks:
        lines = block.rstrip("\n").split("\n")
        check(lines[0] == "stateDiagram-v2", "mermaid: does not start with stateDiagram-v2")
        for line in lines:
            check(any(re.fullmatch(s, line) for s in shapes), f"mermaid: unexpected line {line!r}")


def main():
    directory, expectations = sys.argv[1], json.loads(sys.argv[2])
    for name, spec in expectations["csv"].items():
        check_csv(os.path.join(directory, name), spec)
    check_markdown(os.path.join(directory, "report.md"), expectations["md_table_rows"], expectations["md_cells"])
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
