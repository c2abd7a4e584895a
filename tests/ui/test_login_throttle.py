"""Login back-off: free attempts, then doubling waits, capped; a success clears it; the
password check runs off the event loop."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from ui.login_throttle import Throttle, TooManyAttempts, authenticator


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_waits_double_after_the_free_attempts_up_to_the_cap():
    clock = Clock()
    throttle = Throttle(free=3, max_wait=5.0, window=100.0, clock=clock)
    waits = []
    for _ in range(7):
        waits.append(throttle.wait("ada"))
        throttle.failed("ada")
    assert waits == [0, 0, 0, 1.0, 2.0, 4.0, 5.0]
    assert throttle.wait("wes") == 0  # another key is not affected
    clock.now += 5.0
    assert throttle.wait("ada") == 0  # the cap: never locked out for long
    throttle.succeeded("ada")
    throttle.failed("ada")
    assert throttle.wait("ada") == 0


def test_old_failures_are_forgotten():
    clock = Clock()
    throttle = Throttle(free=1, max_wait=60.0, window=10.0, clock=clock)
    throttle.failed("ada")
    throttle.failed("ada")
    assert throttle.wait("ada") > 0
    clock.now += 11
    assert throttle.wait("ada") == 0


def _run(coroutine_function, *args):
    """Run a coroutine on a fresh event loop in its own thread (other tests may leave one
    running in this thread); returns its result and the loop's thread id."""
    loop_thread = []

    async def wrapper():
        loop_thread.append(threading.get_ident())
        return await coroutine_function(*args)

    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, wrapper()).result()
    return result, loop_thread[0]


def test_the_check_runs_in_a_worker_thread_and_a_throttled_account_gets_429():
    seen = []

    def check(name, password):
        seen.append(threading.get_ident())
        return password == "right"

    authenticate = authenticator(check, Throttle(free=2, clock=Clock()))
    loops = []
    for password, expected in (("right", True), ("wrong", False), ("wrong", False)):
        ok, loop = _run(authenticate, "ada", password)
        assert ok is expected
        loops.append(loop)
    with pytest.raises(TooManyAttempts) as refused:
        _run(authenticate, "ADA ", "right")  # the same account, however spelt
    assert refused.value.status_code == 429 and "try again in 1 s" in refused.value.detail
    # Never on the event loop's thread. Compared run by run: a thread's id is reused once
    # it ends, so one run's worker may carry an earlier run's loop id.
    assert len(seen) == 3 and all(check != loop for check, loop in zip(seen, loops, strict=True))
