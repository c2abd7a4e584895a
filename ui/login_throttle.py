"""Failed logins slow down, per account and per client address.

Gradio's ``/login`` checks a password with our ``auth`` function (scrypt: about 40 ms of
CPU). Two things go wrong without care: a synchronous check runs on the server's event
loop and stalls every other request while it hashes, and nothing stops an attacker from
trying passwords as fast as the server answers. ``authenticator`` runs the check in a
worker thread and consults a ``Throttle`` per account; ``LoginGuard`` (an ASGI middleware)
consults one per client address, from the status of the login response.

The rule: the first ``free`` failures of a key cost nothing; after them each failure
doubles the wait before the next attempt (1 s, 2 s, 4 s, ... up to ``max_wait``); a
success clears the key, and failures older than ``window`` are forgotten. An attacker can
thus hold one account at most ``max_wait`` seconds between attempts, never lock its owner
out for good, and guesses at most a few passwords a minute.
"""

import json
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class TooManyAttempts(HTTPException):
    """Raised by the authenticator while an account must wait (``wait`` seconds): the
    login route answers 429 with the message and a ``Retry-After`` header."""

    def __init__(self, wait: float, what: str) -> None:
        self.wait = wait
        seconds = max(1, round(wait))
        super().__init__(
            status_code=429,
            detail=f"too many failed logins for this {what}; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


@dataclass
class Throttle:
    """Back-off per key (see the module doc). Thread-safe."""

    free: int = 5
    max_wait: float = 60.0
    window: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[Hashable, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, key: Hashable) -> float:
        """Seconds before ``key`` may try again (0: now)."""
        with self._lock:
            times = self._recent(key)
            if len(times) < self.free:
                return 0.0
            delay = min(self.max_wait, 2.0 ** (len(times) - self.free))
            return max(0.0, times[-1] + delay - self.clock())

    def failed(self, key: Hashable) -> None:
        with self._lock:
            self._recent(key).append(self.clock())
            if len(self._failures) > 100_000:  # bounded memory under a spray of keys
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, key: Hashable) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: Hashable) -> list[float]:
        cutoff = self.clock() - self.window
        times = [t for t in self._failures.get(key, []) if t > cutoff]
        self._failures[key] = times
        return times


def authenticator(check: Callable[[str, str], bool], accounts: Throttle):
    """An async ``auth`` for Gradio: ``check(name, password)`` in a worker thread, with
    per-account back-off (raises ``TooManyAttempts`` while an account must wait)."""
    import anyio.to_thread

    async def authenticate(name: str, password: str) -> bool:
        key = name.strip().lower()
        wait = accounts.wait(key)
        if wait > 0:
            raise TooManyAttempts(wait, "account")
        ok = await anyio.to_thread.run_sync(check, name, password)
        (accounts.succeeded if ok else accounts.failed)(key)
        return ok

    return authenticate


class LoginGuard:
    """ASGI middleware: back-off per client address on ``POST .../login`` (429 with a
    message while an address must wait)."""

    def __init__(self, app: ASGIApp, addresses: Throttle) -> None:
        self.app, self.addresses = app, addresses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_login = (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].rstrip("/").endswith("/login")
        )
        if not is_login:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        wait = self.addresses.wait(client)
        if wait > 0:
            await _too_many(send, TooManyAttempts(wait, "address"))
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] == 200:
            self.addresses.succeeded(client)
        elif status and status[0] in (400, 401):
            self.addresses.failed(client)


async def _too_many(send: Send, refusal: TooManyAttempts) -> None:
    body = json.dumps({"detail": refusal.detail}).encode()
    headers = Headers(refusal.headers)
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers.raw,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
