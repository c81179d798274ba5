"""RabbitMQ restarted in the middle of a burst of library writes: every stat, favorite
count and average rating still equals the recount from the write side. Stops and starts
the machine's real broker (rabbitmqctl), as test_broker_restart does."""
import threading
import time

from tests.support.faults import restart_broker
from tests.integration.test_library_counts import USERS, assert_everything_matches
from tests.support.library import burst, import_movies, new_users


def test_a_broker_restart_mid_burst_leaves_every_count_right(container, pipeline):
    movie_ids = import_movies(container, 20, seed=13)
    users = new_users(container, USERS)
    finished = threading.Event()
    writer = threading.Thread(target=lambda: (burst(container, users, movie_ids, 2000),
                                              finished.set()))
    writer.start()
    time.sleep(1.0)
    restart_broker()
    writer.join(timeout=180)
    assert finished.is_set()
    pipeline.relay.assert_running()
    pipeline.worker.assert_running()
    assert_everything_matches(container, users, movie_ids)
