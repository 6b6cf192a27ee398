"""Reads junit.xml with a real consumer (PyPI's junitparser, as CI report tools do) and
violations.csv with Python's csv module, and prints what each says as JSON, for
Tests/TaskLedgerTests/ReportTestsJUnit.swift to compare.

Usage: python3 junit_consumer.py REPORT_DIR
"""
import csv, json, sys
from junitparser import JUnitXml, Failure

directory = sys.argv[1]
xml = JUnitXml.fromfile(f"{directory}/junit.xml")
suites = []
for suite in xml:
    cases = []
    for case in suite:
        failures = [r for r in case.result if isinstance(r, Failure)]
        cases.append({
            "name": case.name, "classname": case.classname,
            "failure": None if not failures else
            {"type": failures[0].type, "message": failures[0].message, "text": failures[0].text or ""},
        })
    suites.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                   "errors": suite.errors, "cases": cases})
with open(f"{directory}/violations.csv", newline="", encoding="utf-8") as f:
    violations = [{"kind": r["kind"], "task": r["task"], "file": r["file"], "line": r["line"], "message": r["message"]}
                  for r in csv.DictReader(f)]
json.dump({"suites": suites, "violations": violations}, sys.stdout)
