"""The worker's keeper: a process that exits on its own is started again; a stop sent to
the group stops both."""
import os
import signal
import subprocess
import sys
import time

from movienexus.devtools.respawn import FIRST_PAUSE, Respawner


def test_a_process_that_exits_on_its_own_is_started_again(tmp_path):
    runs = tmp_path / "runs"
    script = f"open({str(runs)!r}, 'a').write('x'); raise SystemExit(3)"
    pauses = []
    keeper = Respawner([sys.executable, "-c", script])

    def sleep(seconds):
        pauses.append(seconds)
        if len(pauses) == 3:
            keeper.stopping = True          # as a stop arriving during the pause

    keeper.sleep = sleep
    assert keeper.run() == 3
    assert runs.read_text() == "xxx"
    assert pauses == [FIRST_PAUSE * 2, FIRST_PAUSE * 4, FIRST_PAUSE * 8]


def test_a_stop_sent_to_the_group_stops_the_child_and_the_keeper():
    keeper = subprocess.Popen(
        [sys.executable, "-m", "movienexus.devtools.respawn", sys.executable, "-c",
         "import time; time.sleep(60)"], start_new_session=True)
    deadline = time.monotonic() + 20
    while not subprocess.run(["pgrep", "-P", str(keeper.pid)], capture_output=True).stdout:
        assert time.monotonic() < deadline, "the keeper started no child"
        time.sleep(0.05)
    child = int(subprocess.run(["pgrep", "-P", str(keeper.pid)], capture_output=True,
                               text=True).stdout.split()[0])
    os.killpg(keeper.pid, signal.SIGTERM)
    assert keeper.wait(timeout=20) == 128 + signal.SIGTERM
    assert subprocess.run(["pgrep", "-P", str(keeper.pid)], capture_output=True).stdout == b""
    assert not os.path.exists(f"/proc/{child}") or \
        open(f"/proc/{child}/stat").read().split()[2] == "Z"
