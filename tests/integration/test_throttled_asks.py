"""The leading edge of a throttled ask (recommendations), on the real Redis: the first
change after a quiet spell sends the work at once; changes while it cools down send one
more, due when the cool-down ends; the library projection's script flag works the same."""
import uuid

from read_models.stores.debounce import ThrottledAsk


def throttle(container, delay: float = 30.0):
    sent: list[tuple[str, float]] = []
    key = f"test-throttle:{uuid.uuid4().hex}"
    ask = ThrottledAsk(container.redis, lambda subject: f"{key}:{subject}",
                       lambda subject, due: sent.append((subject, due)), delay)
    return ask, sent


def test_the_first_ask_sends_at_once_and_later_ones_wait_for_the_cool_down(container):
    ask, sent = throttle(container)
    ask("ada")
    ask("ada")                            # already asked: nothing more
    assert sent == [("ada", 0.0)]
    ask.clear("ada")                      # the work ran: its cool-down starts
    ask("ada")
    ask("ada")
    assert len(sent) == 2 and 25.0 < sent[1][1] <= 30.0
    ask("bob")                            # another person is not held back
    assert sent[2] == ("bob", 0.0)


def test_a_flag_set_by_a_script_sends_on_the_leading_edge_too(container):
    ask, sent = throttle(container)
    key, ttl = ask.flag("cy")
    newly = bool(container.redis.set(key, "1", nx=True, px=ttl))
    ask.flagged(newly, "cy")
    assert sent == [("cy", 0.0)]
