#!/usr/bin/env python3
"""Capture the events of a real Celery worker into JSON lines.

    python3 Tests/RealSystems/celery/celery_capture.py OUTDIR

Starts redis-server on a free loopback port (no persistence, its own dir under OUTDIR), a real
Celery worker with events on (-E, prefork, concurrency 2), and an event receiver in a thread that
writes every event it is handed, as json.dumps(event), one a line, to OUTDIR/events.jsonl. Then
runs one task per scenario (success, failure, retries, revokes, a hard time limit, a Reject, a
chain, a group), waits until each one has its final state, and writes OUTDIR/results.json:
{uuid: {"state": AsyncResult.state, "name": task name, "scenario": ...}}.

Every wait is bounded. Exit 0 when every task reached its final state and sent a final event;
1 with a message naming what timed out; 2 when celery[redis] or redis-server is missing.
The worker and redis are stopped in every case (TERM, then KILL after a bound).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_BOUND = 45.0                    # seconds for the tasks to reach their final states
REVOKE_COUNTDOWN = float(os.environ.get("CAPTURE_REVOKE_COUNTDOWN", "3"))
FINAL_EVENTS = {"task-succeeded", "task-failed", "task-revoked", "task-rejected"}


class CaptureError(Exception):
    pass


def say(message):
    print(f"celery_capture: {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise CaptureError(f"timed out after {timeout:.0f} s waiting for {what}")


def stop(process, name, bound=10.0):
    """TERM, then KILL the process group after `bound` seconds (the worker's pool children too)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(bound)
    except subprocess.TimeoutExpired:
        say(f"{name} did not stop within {bound:.0f} s of SIGTERM: SIGKILL")
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(5)


class Capture:
    """The receiver thread: every event, in arrival order, to events.jsonl and to memory."""

    def __init__(self, app, path):
        self.app = app
        self.file = open(path, "w", encoding="utf-8")
        self.events = []
        self.lock = threading.Lock()
        self.receiver = None
        self.error = None
        self.thread = threading.Thread(target=self.run, name="celery-events", daemon=True)

    def on_event(self, event):
        line = json.dumps(event)
        with self.lock:
            self.file.write(line + "\n")
            self.file.flush()
            self.events.append(event)

    def run(self):
        try:
            with self.app.connection() as connection:
                self.receiver = self.app.events.Receiver(connection, handlers={"*": self.on_event})
                self.receiver.capture(limit=None, timeout=None, wakeup=True)
        except Exception as exc:  # reported by the main thread
            self.error = exc

    def of(self, uuid):
        with self.lock:
            return [e for e in self.events if e.get("uuid") == uuid]

    def types(self, uuid):
        return [e["type"] for e in self.of(uuid)]

    def any(self, predicate):
        with self.lock:
            return any(predicate(e) for e in self.events)

    def stop(self):
        if self.receiver is not None:
            self.receiver.should_stop = True
        self.thread.join(5)
        with self.lock:
            self.file.close()


def final_states(scenario, capture):
    """uuid -> Celery's own final state, the task's name (as its events give it) and the scenario."""
    out = {}
    for uuid, (name, result) in scenario.items():
        names = [e["name"] for e in capture.of(uuid) if e.get("name")]
        out[uuid] = {"state": result.state, "name": names[0] if names else None, "scenario": name}
    return out


def main(outdir):
    try:
        import celery  # noqa: F401
        import redis
    except ImportError as exc:
        say(f"needs celery[redis] ({exc}): pip install 'celery[redis]' (.ci/run installs it)")
        return 2
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        say("needs redis-server on PATH: apt-get install redis-server (.ci/run installs it)")
        return 2

    os.makedirs(outdir, exist_ok=True)
    redis_dir = os.path.join(outdir, "redis")
    os.makedirs(redis_dir, exist_ok=True)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    os.environ["CAPTURE_BROKER_URL"] = url
    sys.path.insert(0, HERE)

    redis_process = worker = capture = None
    results, scenario = {}, {}
    started = time.monotonic()
    try:
        redis_process = subprocess.Popen(
            [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", redis_dir, "--logfile", os.path.join(redis_dir, "redis.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)

        def pong():
            if redis_process.poll() is not None:
                raise CaptureError(f"redis-server exited with {redis_process.returncode}: see {redis_dir}/redis.log")
            try:
                return client.ping()
            except redis.exceptions.ConnectionError:
                return False
        wait_until(pong, 10, f"redis-server to answer PING on 127.0.0.1:{port}")

        import capture_tasks as t
        from celery import chain, group

        # The receiver first, so that it sees the worker come online and every task event.
        capture = Capture(t.app, os.path.join(outdir, "events.jsonl"))
        capture.thread.start()

        with open(os.path.join(outdir, "worker.log"), "w") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "capture_tasks", "worker", "-E", "-P", "prefork",
                 "-c", "2", "-n", "capture@%h", "--without-mingle", "--without-gossip", "-l", "INFO"],
                cwd=HERE, env=dict(os.environ, PYTHONPATH=HERE), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def worker_seen():
            if worker.poll() is not None:
                raise CaptureError(f"the worker exited with {worker.returncode}: see {outdir}/worker.log")
            if capture.error is not None:
                raise CaptureError(f"the event receiver failed: {capture.error!r}")
            return capture.any(lambda e: e.get("type") in ("worker-online", "worker-heartbeat"))
        wait_until(worker_seen, 30, "the worker's worker-online or worker-heartbeat event")

        # scenario: uuid -> (scenario, AsyncResult)

        def note(name, result):
            scenario[result.id] = (name, result)
            return result

        # Revoked while running: a sleeping task, revoked with terminate=True once it has started.
        running = note("revoked_running", t.sleep.delay(20))
        wait_until(lambda: "task-started" in capture.types(running.id), 15, "the sleeping task to start")
        running.revoke(terminate=True)

        # Revoked while waiting for its countdown: revoked once the worker holds it.
        waiting = note("revoked_waiting", t.add.apply_async((1, 2), countdown=REVOKE_COUNTDOWN))
        wait_until(lambda: "task-received" in capture.types(waiting.id), 10, "the countdown task to be received")
        waiting.revoke()

        note("success", t.add.delay(2, 3))
        note("failure", t.fail.delay())
        note("retry_then_succeed", t.retry_then_succeed.delay())
        note("retry_exhausted", t.retry_exhausted.delay())
        note("time_limit", t.over_time_limit.delay())
        note("reject", t.reject.delay())
        last = chain(t.add.s(1, 1), t.add.s(2), t.add.s(3)).apply_async()
        links = []
        while last is not None:
            links.insert(0, last)
            last = last.parent
        for i, link in enumerate(links):
            note(f"chain_{i + 1}", link)
        members = group(t.add.s(i, i) for i in range(1, 4)).apply_async()
        for i, member in enumerate(members.results):
            note(f"group_{i + 1}", member)

        from celery import states

        def pending():
            left = []
            for uuid, (name, result) in scenario.items():
                if result.state not in states.READY_STATES or not FINAL_EVENTS & set(capture.types(uuid)):
                    left.append(f"{name} {uuid} (state {result.state}, events {capture.types(uuid)})")
            return left
        try:
            wait_until(lambda: not pending(), RUN_BOUND, "every task's final state and final event")
        except CaptureError as exc:
            raise CaptureError(f"{exc}; not final: {'; '.join(pending())}")
        time.sleep(1.0)  # late events

        results.update(final_states(scenario, capture))
        say(f"{len(results)} tasks, {len(capture.events)} events in {time.monotonic() - started:.1f} s")
        return 0
    except CaptureError as exc:
        say(str(exc))
        if scenario and capture is not None:
            results.update(final_states(scenario, capture))  # what there is, for the post-mortem
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopping is what was asked
        if capture is not None and capture.receiver is not None:
            capture.receiver.should_stop = True
        stop(worker, "the worker")
        if capture is not None:
            capture.stop()
        if results:
            with open(os.path.join(outdir, "results.json"), "w") as f:
                json.dump(results, f, indent=1, sort_keys=True)
        stop(redis_process, "redis-server", bound=5.0)


def on_term(signum, frame):
    # A caller's timeout: stop here, but through main's finally, so the worker and redis stop too.
    raise CaptureError(f"stopped by signal {signum}")


if __name__ == "__main__":
    # A parent may hand down blocked signals (a test runner's threads block SIGTERM): unblock them,
    # or neither this script nor the worker and redis that inherit the mask would stop on SIGTERM.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, on_term)
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
