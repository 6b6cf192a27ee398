"""Tasks for celery_capture.py: one per lifecycle a real Celery worker can give a task.

The worker imports this module (`celery -A capture_tasks worker`), so the broker comes from the
environment: CAPTURE_BROKER_URL (a redis:// URL on loopback, set by celery_capture.py), used as
the result backend too, so that AsyncResult.state is Celery's own word on each task.
"""
import os
import time

from celery import Celery
from celery.exceptions import Reject

BROKER = os.environ.get("CAPTURE_BROKER_URL", "redis://127.0.0.1:6379/0")

app = Celery("capture_tasks", broker=BROKER, backend=BROKER)
app.conf.update(
    task_send_sent_event=True,      # task-sent, from whoever publishes (client or worker)
    worker_send_task_events=True,   # the same as `worker -E`
    broker_connection_retry_on_startup=True,
    result_expires=None,
)


@app.task
def add(x, y):
    return x + y


@app.task
def fail():
    raise ValueError("capture: this task always fails")


@app.task(bind=True, max_retries=3)
def retry_then_succeed(self):
    if self.request.retries == 0:
        raise self.retry(exc=RuntimeError("capture: first try fails"), countdown=0.3)
    return "ok after %d retries" % self.request.retries


@app.task(bind=True, max_retries=2)
def retry_exhausted(self):
    raise self.retry(exc=RuntimeError("capture: every try fails"), countdown=0.3)


@app.task
def sleep(seconds):
    time.sleep(seconds)
    return seconds


@app.task(time_limit=1)
def over_time_limit():
    time.sleep(10)
    return "never"


@app.task(acks_late=True)
def reject():
    raise Reject("capture: rejected without requeue", requeue=False)
