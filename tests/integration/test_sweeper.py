"""The catch-up sweeper, on its own (no workers): whatever the broker never delivered,
and whatever Redis lost behind a committed checkpoint, it brings up to date."""
from sqlalchemy import text

from tests.support.accounts import assert_read_models_match, envelopes_of, register, rename


def history(container, renames: int = 3) -> str:
    user_id = register(container)
    for n in range(renames):
        rename(container, user_id, n)
    return user_id


def test_events_no_worker_ever_saw_are_projected_by_a_sweep(isolated):
    users = [history(isolated) for _ in range(3)]
    report = isolated.sweeper("people").sweep(full=True)
    assert report.behind >= 3 and not set(report.failed) & {f"user:{u}" for u in users}
    for user_id in users:
        assert_read_models_match(isolated, user_id)


def test_a_redis_copy_lost_behind_its_checkpoint_is_copied_again(isolated):
    user_id = history(isolated)
    for event in envelopes_of(isolated, user_id):
        isolated.projection_runner.apply(event)
    isolated.redis.delete(f"me:{user_id}", f"me:{user_id}:v")   # the copy a crash lost
    isolated.redis.set(f"applied:user:{user_id}", 1)
    isolated.sweeper("people").sweep(full=True)
    assert_read_models_match(isolated, user_id)
    assert int(isolated.redis.get(f"applied:user:{user_id}")) == len(
        envelopes_of(isolated, user_id))


def test_the_watermark_moves_up_and_a_second_sweep_repairs_nothing(isolated):
    user_id = history(isolated, renames=1)
    first = isolated.sweeper("people").sweep(full=True)
    assert first.repaired >= 1
    with isolated.engine.connect() as conn:
        watermark = conn.execute(text(
            "SELECT position FROM projection_sweeps WHERE lane = 'people'")).scalar()
    assert watermark >= envelopes_of(isolated, user_id)[-1].position
    second = isolated.sweeper("people").sweep()
    assert second.repaired == 0        # (what is left behind is other tests' poison)
