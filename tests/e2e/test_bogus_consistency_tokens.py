"""The issue's stall, over gunicorn from the Procfile: 16 parallel reads with an
impossible consistency token. Each answers at once as `unknown` (the API's wait counter
does not move), and /healthz answers while they are in flight."""
import re
import threading

import requests

TOKEN = "1.movie.1.999999999"


def waits(api_url: str) -> float:
    text = requests.get(f"{api_url}/metrics", timeout=30).text
    found = re.findall(r"^consistency_waits_total(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.M)
    return sum(float(value) for value in found)


def test_sixteen_impossible_tokens_do_not_hold_the_workers(api_url):
    before = waits(api_url)
    answers, health = [], []
    start = threading.Barrier(17)

    def read() -> None:
        start.wait()
        answers.append(requests.get(f"{api_url}/api/v1/movies?page_size=1", timeout=30,
                                    headers={"X-Consistency-Token": TOKEN}))

    def check_health() -> None:
        start.wait()
        health.append(requests.get(f"{api_url}/healthz", timeout=30))

    threads = [threading.Thread(target=read) for _ in range(16)]
    threads.append(threading.Thread(target=check_health))
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [r.status_code for r in health] == [200]
    assert len(answers) == 16
    assert all(r.status_code == 200 and r.headers["X-Consistency"] == "unknown"
               for r in answers), [(r.status_code, dict(r.headers)) for r in answers]
    assert waits(api_url) == before
