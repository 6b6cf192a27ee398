#!/usr/bin/env python3
"""A seed-style Python task ledger, the baseline task-ledger is measured against.

What a user would write in an afternoon: stdlib json + sqlite3, the SPEC §3 rules, validation,
dedupe by id, snapshots cached in a dict and written back at each commit, WAL mode.
Usage: python_ledger.py DB FILE.jsonl[.gz] [--batch N] [--limit LINES]
  --batch 1 = a transaction per event (the naive seed); --batch 10000 = batched.
"""
import gzip, json, sqlite3, sys, datetime

ALIASES = {"DONE": "SUCCEEDED", "COMPLETED": "SUCCEEDED", "COMPLETE": "SUCCEEDED", "SUCCESS": "SUCCEEDED",
           "OK": "SUCCEEDED", "ERROR": "FAILED", "FAILURE": "FAILED", "FAIL": "FAILED", "CANCELED": "CANCELLED",
           "REVOKED": "CANCELLED", "ABORTED": "CANCELLED", "TIMEOUT": "TIMED_OUT", "EXPIRED": "TIMED_OUT",
           "PENDING": "QUEUED", "STARTED": "RUNNING", "IN_PROGRESS": "RUNNING", "RETRY": "RETRYING",
           "BLOCKED": "WAITING", "PAUSED": "WAITING", "NEW": "RECEIVED", "CREATED": "RECEIVED", "SUBMITTED": "RECEIVED"}
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"}
TRANSITIONS = {"RECEIVED": {"QUEUED", "RUNNING", "CANCELLED", "FAILED"},
               "QUEUED": {"RUNNING", "CANCELLED", "FAILED", "TIMED_OUT"},
               "RUNNING": {"WAITING", "RETRYING", "SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"},
               "WAITING": {"RUNNING", "CANCELLED", "FAILED", "TIMED_OUT"},
               "RETRYING": {"QUEUED", "RUNNING", "FAILED", "CANCELLED"}}
STATES = set(TRANSITIONS) | TERMINAL
INITIAL = {"RECEIVED", "QUEUED"}


def first(obj, *keys):
    for k in keys:
        if obj.get(k) is not None:
            return obj[k]
    return None


def parse_ts(v):
    if isinstance(v, bool):
        raise ValueError
    if isinstance(v, (int, float)):
        return int(v if v >= 1e11 else v * 1000)
    return int(datetime.datetime.fromisoformat(v.replace("Z", "+00:00").replace("z", "+00:00")).timestamp() * 1000)


def main():
    db_path, path = sys.argv[1], sys.argv[2]
    batch = int(sys.argv[sys.argv.index("--batch") + 1]) if "--batch" in sys.argv else 10000
    limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else None
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript("""
        CREATE TABLE IF NOT EXISTS task_events (seq INTEGER PRIMARY KEY, task TEXT, state TEXT, verdict TEXT,
            ts INTEGER, event_id TEXT, actor TEXT, source TEXT, stage TEXT, detail TEXT, file TEXT, line INTEGER);
        CREATE INDEX IF NOT EXISTS ev_task ON task_events(task, seq);
        CREATE UNIQUE INDEX IF NOT EXISTS ev_id ON task_events(event_id) WHERE event_id IS NOT NULL;
        CREATE TABLE IF NOT EXISTS snapshot (task TEXT PRIMARY KEY, state TEXT, first_ts INTEGER, last_ts INTEGER,
            terminal_ts INTEGER);
        CREATE TABLE IF NOT EXISTS rejects (file TEXT, line INTEGER, kind TEXT, raw TEXT);
    """)
    cache = {}
    dirty = {}

    def commit():
        # the snapshot cache is written back once per batch, not once per event
        db.executemany("INSERT OR REPLACE INTO snapshot VALUES (?,?,?,?,?)", [(t,) + v for t, v in dirty.items()])
        dirty.clear()
        db.execute("COMMIT")
    opener = gzip.open if path.endswith(".gz") else open
    n = 0
    db.execute("BEGIN")
    with opener(path, "rt", encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if limit and lineno > limit:
                break
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError
                task, state, ts = first(obj, "task", "task_id", "req"), first(obj, "state", "status"), first(obj, "ts", "timestamp", "time")
                if task is None or state is None or ts is None:
                    raise KeyError
                task = str(task)
                ts = parse_ts(ts)
            except Exception as e:
                db.execute("INSERT INTO rejects VALUES (?,?,?,?)", (path, lineno, type(e).__name__, line))
                continue
            eid = first(obj, "id", "event_id")
            if eid is not None and db.execute("SELECT 1 FROM task_events WHERE event_id=?", (eid,)).fetchone():
                db.execute("INSERT INTO rejects VALUES (?,?,?,?)", (path, lineno, "duplicate", line))
                continue
            canon = state.strip().upper().replace("-", "_").replace(" ", "_")
            canon = ALIASES.get(canon, canon)
            if task not in cache:
                cache[task] = db.execute("SELECT state, first_ts, last_ts, terminal_ts FROM snapshot WHERE task=?", (task,)).fetchone()
            snap = cache[task]
            if canon not in STATES:
                verdict = "unknown_state"
            elif snap is None:
                verdict = "applied" if canon in INITIAL else "illegal_transition"
            elif snap[0] in TERMINAL:
                verdict = "after_terminal"
            elif canon != snap[0] and canon not in TRANSITIONS[snap[0]]:
                verdict = "illegal_transition"
            else:
                verdict = "out_of_order" if ts < snap[2] else "applied"
            db.execute("INSERT INTO task_events (task,state,verdict,ts,event_id,actor,source,stage,detail,file,line) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (task, canon, verdict, ts, eid, obj.get("actor"), obj.get("source"), obj.get("stage"), obj.get("detail"), path, lineno))
            if verdict in ("applied", "out_of_order"):
                new = (canon, min(ts, snap[1]) if snap else ts, max(ts, snap[2]) if snap else ts,
                       ts if canon in TERMINAL else None)
                cache[task] = new
                dirty[task] = new
            n += 1
            if n % batch == 0:
                commit()
                db.execute("BEGIN")
    commit()


if __name__ == "__main__":
    main()
