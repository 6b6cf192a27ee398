#!/usr/bin/env python3
"""Opens a task-ledger report.html in headless Chromium and checks what a browser sees.

usage: report_browser.py REPORT_DIR EXPECTATIONS_JSON [SCREENSHOT_PNG [dark]]

SCREENSHOT_PNG gets the page down to its transition graph (the charts), light unless dark.

REPORT_DIR holds report.html and the other files of the same report: the expected counts are
derived from outcomes.csv, violations.csv, stale.csv, summary.json and report.md's mermaid
block by the rules in the README and SPEC (derive_expectations), never read from the page.

EXPECTATIONS_JSON:
  {"selectors": {"CSS selector": count, ...},   counted in the DOM, with JavaScript on and off
   "sums": {"CSS selector": total, ...},        sum of the matched elements' data-count
   "texts": [...],                              each must be the textContent of some td
   "forbidden": ["CSS selector", ...]}          must match nothing (injected elements)
each merged into the derived ones.

The browser is Debian's chromium, driven over the Chrome DevTools Protocol on
--remote-debugging-pipe (file descriptors 3 and 4: no port, no extra package). Every request
the page makes is intercepted (Fetch.enable on every URL) and counted; every console message,
log entry and uncaught exception is a problem. The page is loaded twice, with script execution
enabled and disabled, and the counts must agree. Every wait is bounded. Exits 1 with one line
per problem.
"""
import base64
import csv
import html.parser
import json
import re
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT = 30  # seconds, for each protocol exchange
problems = []


def check(ok, message):
    if not ok:
        problems.append(message)


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="report-browser-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", "--force-device-scale-factor=1",
             f"--user-data-dir={self.profile}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=child_fds,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer, self.next_id, self.events = b"", 0, []

    def close(self):
        self.process.kill()
        self.process.wait(timeout=TIMEOUT)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if ready:
                data = os.read(self.from_chrome, 1 << 16)
                if not data:
                    raise EOFError("chromium closed its pipe")
                self.buffer += data
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None):
        """Sends a command and returns its result; events that arrive meanwhile are kept."""
        self.next_id += 1
        number = self.next_id  # handle() may send commands of its own meanwhile
        message = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == number:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.handle(reply)

    def handle(self, event):
        self.events.append(event)
        if event.get("method") == "Fetch.requestPaused":
            # Every request is failed, so nothing leaves the page; the page's own file is a
            # navigation, which Fetch is enabled for too, so it is let through by URL.
            params = event["params"]
            if params["request"]["url"] == self.page_url:
                self.send("Fetch.continueRequest", {"requestId": params["requestId"]}, event.get("sessionId"))
            else:
                self.send("Fetch.failRequest", {"requestId": params["requestId"], "errorReason": "BlockedByClient"},
                          event.get("sessionId"))

    def wait_for(self, method, session):
        deadline = time.monotonic() + TIMEOUT
        while not any(e.get("method") == method and e.get("sessionId") == session for e in self.events):
            self.handle(self._read_message(deadline))

    def open(self, url, javascript, dark):
        self.page_url, self.events = url, []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", {}, session)
        self.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session)
        self.send("Emulation.setScriptExecutionDisabled", {"value": not javascript}, session)
        self.send("Emulation.setEmulatedMedia", {"features": [
            {"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]}, session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1040, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        return target, session


TERMINAL = ["SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"]  # SPEC §3
STATES = ["RECEIVED", "QUEUED", "RUNNING", "WAITING", "RETRYING"] + TERMINAL
KINDS = ["malformed", "missing_field", "bad_field", "bad_timestamp", "duplicate", "unknown_state",
         "after_terminal", "illegal_transition", "out_of_order"]  # SPEC §4, every verdict but applied
REFUSED = {"unknown_state", "after_terminal", "illegal_transition"}  # recorded, not applied
S, M, H, D = 1000, 60_000, 3_600_000, 86_400_000
DURATION_EDGES = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, S, 2 * S, 5 * S, 10 * S, 30 * S,
                  M, 2 * M, 5 * M, 10 * M, 30 * M, H, 2 * H, 6 * H, 12 * H, D, 2 * D, 7 * D]  # README
TIMELINE_WIDTHS = [S, 5 * S, 15 * S, M, 5 * M, 15 * M, H, 3 * H, 6 * H, 12 * H, D, 7 * D, 30 * D, 365 * D]


def shown(text):
    """A text as the README says the page shows it: C0 controls and DEL as Control Pictures,
    C1 controls and noncharacters as ⟨U+XXXX⟩."""
    out = []
    for ch in text:
        c = ord(ch)
        if c < 0x20:
            out.append(chr(0x2400 + c))
        elif c == 0x7F:
            out.append("\u2421")
        elif 0x80 <= c <= 0x9F or 0xFDD0 <= c <= 0xFDEF or c & 0xFFFE == 0xFFFE:
            out.append("⟨U+%04X⟩" % c)
        else:
            out.append(ch)
    return "".join(out)


def read_csv(directory, name):
    with open(os.path.join(directory, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, strict=True))


def ms(text):
    whole, _, fraction = text.partition(".")
    return int(whole) * 1000 + int(fraction)


def epoch_ms(ts):
    from datetime import datetime, timezone
    moment = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return int(moment.timestamp()) * 1000 + moment.microsecond // 1000


def derive_expectations(directory):
    outcomes = read_csv(directory, "outcomes.csv")
    violations = read_csv(directory, "violations.csv")
    stale = read_csv(directory, "stale.csv")
    summary = json.load(open(os.path.join(directory, "summary.json"), encoding="utf-8"))
    selectors, sums = {}, {}
    selectors["rect.bar.outcome"] = len(TERMINAL)
    for state in TERMINAL:
        sums[f'rect.bar.outcome[data-name="{state}"]'] = sum(o["state"] == state for o in outcomes)
    selectors["rect.bar.violation"] = len(KINDS)
    for kind in KINDS:
        sums[f'rect.bar.violation[data-name="{kind}"]'] = sum(v["kind"] == kind for v in violations)

    def duration_bin(d):
        i = 0
        while i + 1 < len(DURATION_EDGES) and DURATION_EDGES[i + 1] <= d:
            i += 1
        return i
    measured = [(o["state"], ms(o["duration_s"])) for o in outcomes if o["duration_s"]]
    bins = [duration_bin(d) for _, d in measured]
    states_measured = {state for state, _ in measured}
    columns = max(bins) - min(bins) + 1 if bins else 0
    selectors["svg.histogram"] = len(states_measured)
    selectors["rect.bin.duration"] = len(states_measured) * columns
    selectors["line.pct"] = 3 * len(states_measured)
    sums["rect.bin.duration"] = len(measured)

    stamps = [epoch_ms(v["ts"]) for v in violations if v["ts"]]
    if stamps:
        for width in TIMELINE_WIDTHS:
            count = max(stamps) // width - min(stamps) // width + 1
            if count <= 48:
                break
        selectors["rect.bin.timeline"] = count
    sums["rect.bin.timeline"] = len(stamps)
    sums["p.untimed"] = len(violations) - len(stamps)

    refused = {(v["from_state"] or "start", v["to_state"] if v["to_state"] in STATES else "unknown state")
               for v in violations if v["kind"] in REFUSED}
    mermaid = re.search(r"```mermaid\n(.*?)```", open(os.path.join(directory, "report.md"), encoding="utf-8").read(), re.S)
    edge_counts = [int(n) for n in re.findall(r"--> \S+: (?:❌ )?([0-9]+)$", mermaid.group(1), re.M)]
    selectors["path.edge"] = len(edge_counts)
    selectors["path.edge.refused"] = len(refused)
    sums["path.edge"] = sum(edge_counts)
    sums["path.edge.refused"] = sum(v["kind"] in REFUSED for v in violations)
    unknown = any(state == "unknown state" for _, state in refused)
    selectors["g.node"] = 1 + len(STATES) + unknown

    selectors["table.violations tbody tr"] = sum(min(20, sum(v["kind"] == k for v in violations)) for k in KINDS)
    selectors["table.stale tbody tr"] = min(50, len(stale))
    selectors["svg[role=img][aria-label] > title"] = selectors["svg.histogram"] + 3 + bool(stamps)
    texts = [shown(s["task"]) for s in stale[:50]]
    headline = {name: str(summary[name]) for name in ("lines", "events", "tasks", "open", "rejects", "stale")}
    headline["violations"] = str(summary["violations_total"])
    return {"selectors": selectors, "sums": sums, "texts": texts, "headline": headline, "forbidden": []}


ELEMENTS = {"html", "head", "meta", "title", "style", "body", "header", "main", "section", "h1", "h2", "h3",
            "p", "time", "dl", "div", "dt", "dd", "figure", "figcaption", "svg", "defs", "marker", "path", "g",
            "rect", "text", "line", "table", "thead", "tbody", "tr", "th", "td"}
VOID = {"meta"}


class MarkupCheck(html.parser.HTMLParser):
    """The page as an HTML parser reads it: only the writer's own elements, each closed in
    order, no event-handler or URL attribute, and every text kept as text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        check(tag in ELEMENTS, f"markup: unexpected element <{tag}>")
        for name, _ in attrs:
            check(not name.startswith("on") and name not in ("href", "src", "xlink:href", "srcset", "action"),
                  f"markup: <{tag}> has attribute {name}")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        check(tag in ELEMENTS, f"markup: unexpected element <{tag}/>")
        for name, _ in attrs:
            check(not name.startswith("on"), f"markup: <{tag}> has attribute {name}")

    def handle_endtag(self, tag):
        check(bool(self.open) and self.open[-1] == tag,
              f"markup: </{tag}> closes {self.open[-1] if self.open else 'nothing'}")
        if self.open and self.open[-1] == tag:
            self.open.pop()

    def handle_data(self, data):
        self.texts.append(data)

    def handle_comment(self, data):
        check(False, f"markup: a comment {data[:40]!r}")


def check_markup(path, texts):
    """xmllint reads the page as XML (the writer makes it well-formed), html.parser as HTML."""
    out = subprocess.run(["xmllint", "--noout", path], capture_output=True, text=True, timeout=TIMEOUT)
    check(out.returncode == 0, f"xmllint: {out.stderr.strip()[:400]}")
    parser = MarkupCheck()
    parser.feed(open(path, encoding="utf-8").read())
    parser.close()
    check(parser.open == [], f"markup: left open {parser.open}")
    data = set(parser.texts)
    for text in texts:
        check(text in data, f"markup: no text node reads {text!r}")


def evaluate(browser, session, expression):
    result = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
    if "exceptionDetails" in result:
        raise RuntimeError(f"evaluate: {result['exceptionDetails']}")
    return result["result"]["value"]


def dom_facts(browser, session, expectations):
    """Counts and sums read from the DOM. Runtime.evaluate runs in DevTools' own context, which
    Emulation.setScriptExecutionDisabled does not stop, so it reads the page either way."""
    expression = "JSON.stringify({counts: %s, sums: %s, forbidden: %s, texts: %s, scripts: %s, headline: %s})" % (
        "Object.fromEntries(%s.map(s => [s, document.querySelectorAll(s).length]))"
        % json.dumps(list(expectations["selectors"])),
        "Object.fromEntries(%s.map(s => [s, [...document.querySelectorAll(s)]"
        ".reduce((t, e) => t + Number(e.dataset.count), 0)]))" % json.dumps(list(expectations["sums"])),
        "Object.fromEntries(%s.map(s => [s, document.querySelectorAll(s).length]))"
        % json.dumps(expectations["forbidden"]),
        "[...document.querySelectorAll('td')].map(e => e.textContent)",
        "[document.scripts.length, typeof window.__injected]",
        "Object.fromEntries([...document.querySelectorAll('dd[data-name]')].map(e => [e.dataset.name, e.textContent]))")
    return json.loads(evaluate(browser, session, expression))


def main():
    directory = os.path.abspath(sys.argv[1])
    path, expectations = os.path.join(directory, "report.html"), derive_expectations(directory)
    for key, value in json.loads(sys.argv[2]).items():
        if isinstance(value, dict):
            expectations[key].update(value)
        else:
            expectations[key] += value
    screenshot = sys.argv[3] if len(sys.argv) > 3 else None
    dark = len(sys.argv) > 4 and sys.argv[4] == "dark"
    url = "file://" + path
    check_markup(path, expectations["texts"])
    browser = Browser()
    try:
        facts = {}
        for javascript in (True, False):
            mode = "with JavaScript" if javascript else "without JavaScript"
            target, session = browser.open(url, javascript, dark)
            facts[javascript] = dom_facts(browser, session, expectations)
            for selector, count in expectations["selectors"].items():
                got = facts[javascript]["counts"][selector]
                check(got == count, f"{mode}: {selector}: {got} elements, expected {count}")
            for selector, total in expectations["sums"].items():
                got = facts[javascript]["sums"][selector]
                check(got == total, f"{mode}: {selector}: data-count sums to {got}, expected {total}")
            for selector, got in facts[javascript]["forbidden"].items():
                check(got == 0, f"{mode}: {selector}: {got} injected elements")
            check(facts[javascript]["scripts"] == [0, "undefined"], f"{mode}: scripts {facts[javascript]['scripts']}")
            for name, text in expectations["headline"].items():
                got = facts[javascript]["headline"].get(name)
                check(got == text, f"{mode}: headline {name} reads {got!r}, expected {text!r}")
            cells = set(facts[javascript]["texts"])
            for text in expectations["texts"]:
                check(text in cells, f"{mode}: no table cell reads {text!r}")
            requests = [e["params"]["request"]["url"] for e in browser.events
                        if e.get("method") == "Network.requestWillBeSent"]
            check(requests == [url], f"{mode}: requests {requests}, expected only the page itself")
            for e in browser.events:
                method = e.get("method")
                if method == "Runtime.consoleAPICalled":
                    check(False, f"{mode}: console.{e['params']['type']}: {e['params']['args']}")
                elif method == "Runtime.exceptionThrown":
                    check(False, f"{mode}: exception: {e['params']['exceptionDetails'].get('text')}")
                elif method == "Log.entryAdded":
                    check(False, f"{mode}: console {e['params']['entry']['level']}: {e['params']['entry']['text']}")
                elif method == "Network.loadingFailed":
                    check(False, f"{mode}: request failed: {e['params'].get('errorText')}")
            if screenshot and not javascript:
                # The charts: from the top of the page to the end of the transition graph.
                height = evaluate(browser, session,
                                  "Math.ceil(document.getElementById('transitions').getBoundingClientRect().bottom + 8)")
                shot = browser.send("Page.captureScreenshot", {
                    "format": "png", "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": 1040, "height": height, "scale": 1}}, session)
                with open(screenshot, "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
            browser.send("Target.closeTarget", {"targetId": target})
        check(facts[True]["counts"] == facts[False]["counts"], "the DOM differs with and without JavaScript")
    finally:
        browser.close()
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
