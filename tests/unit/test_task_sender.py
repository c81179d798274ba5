"""The task sender (adapters/messaging/task_sender.py) and the workers' Celery app."""
import subprocess
import sys

from adapters.messaging import topology
from adapters.messaging.task_sender import TaskSender
from movienexus.config import Settings
from tests.support.env import ROOT

NOTHING_BUILT = """
import celery._state as state
import workers.celery_app as module
assert module._built is None, "an app was built at import"
assert not list(state._apps), list(state._apps)
print("nothing built")
"""


def test_importing_the_celery_app_module_builds_nothing():
    done = subprocess.run([sys.executable, "-c", NOTHING_BUILT], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "nothing built" in done.stdout


def test_the_sender_sends_in_its_own_settings_namespace():
    app = TaskSender(Settings(amqp_namespace="elsewhere")).app
    assert app.conf.task_default_queue == "elsewhere.default"
    assert app.conf.task_default_exchange == "elsewhere.tasks"
    assert {q.name for q in app.conf.task_queues} == {
        q.name for q in topology.queues("elsewhere")}


def test_the_workers_app_is_configured_as_the_sender():
    from workers.celery_app import make_celery
    settings = Settings(amqp_namespace="same")
    workers, sender = make_celery(settings), TaskSender(settings).app
    for name in ("task_default_queue", "task_default_exchange", "task_acks_late",
                 "broker_transport_options", "event_exchange", "control_exchange"):
        assert workers.conf[name] == sender.conf[name], name
    assert "sweep-people" in workers.conf.beat_schedule
