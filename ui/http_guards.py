"""Guards in front of every HTTP request: foreign origins, rebound host names, uploads.

Three ASGI middlewares the app installs through ``launch(app_kwargs=...)``, inside Gradio's
own CORS middleware, so they see every request before any handler runs:

- ``OriginGuard``: a request that carries an ``Origin`` header (browsers send one with
  every cross-site request and every same-site POST) must come from the app's own origin
  (the scheme and the ``Host`` it was sent to) or one of ``allowed`` (``ITUNE_ALLOWED_ORIGINS``,
  for a reverse proxy that rewrites ``Host``). Anything else is refused with 403 before it
  reaches a handler: Gradio reflects any origin with credentials allowed for hosts other
  than localhost, so a page a logged-in writer or admin visits could otherwise call the
  API in their name.
- ``HostGuard``: while the app runs with no users on a loopback address (everyone is an
  admin), only loopback host names are accepted. A page on ``rebind.attacker.example``
  whose name is made to resolve to 127.0.0.1 (DNS rebinding) sends its own name as
  ``Host`` and is refused. ``single_user`` is asked per request, so a user created while
  the app runs ends this mode at once.
- ``UploadGuard``: only admins upload files (training data is the only file the app
  takes). Gradio's upload route accepts any logged-in user, so without it a writer could
  fill the server's disk up to the size limit per request; the guard asks ``may_upload``
  with the name behind the request's session cookie, in a worker thread (it reads the
  database), before the body is read.

Written by hand: Starlette's ``TrustedHostMiddleware`` and ``CORSMiddleware`` cannot
express "only while no user exists", and Gradio's CORS middleware, which stays outermost,
would still reflect the origin into its response headers; refusing the request is what
keeps the handler from running.
"""

import json
from collections.abc import Callable, Iterable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(value: str) -> str:
    """The host name of a ``Host`` header or an origin's authority, without port or
    brackets, lowercased (``[::1]:7860`` -> ``::1``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value[1:]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class OriginGuard:
    """Refuses requests whose ``Origin`` is neither the app's own nor an allowed one."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = {origin.strip().rstrip("/").lower() for origin in allowed if origin}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None or self.permits(origin, headers.get("host", ""), scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await _refuse(send, 403, f"cross-origin request from {origin[:100]!r} refused")

    def permits(self, origin: str, host: str, scope: Scope) -> bool:
        origin = origin.strip().rstrip("/").lower()
        if origin in self.allowed:
            return True
        scheme, _, authority = origin.partition("://")
        if not authority or not host:
            return False  # "null" (a sandboxed frame, a file) or no Host: not ours
        own_schemes = {"http", "https"} if scope.get("scheme") in ("http", "ws") else {"https"}
        return scheme in own_schemes and authority == host.strip().lower()


class HostGuard:
    """While ``single_user()`` holds, accepts only loopback ``Host`` names."""

    def __init__(self, app: ASGIApp, single_user: Callable[[], bool]) -> None:
        self.app = app
        self.single_user = single_user

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        if host_name(host) in LOOPBACK_HOSTS or not self.single_user():
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await _refuse(
            send,
            403,
            f"host {host[:100]!r} refused: with no users the app answers only on "
            "localhost (create a user to serve it under another name)",
        )


def session_user(scope: Scope) -> str | None:
    """The name Gradio's login gave the session cookie of this request (None: no login).
    Reads the Gradio app's own session table (``tokens``, keyed by the cookie named with
    its ``cookie_id``), the one Gradio's ``get_current_user`` reads."""
    app = scope.get("app")
    tokens, cookie_id = getattr(app, "tokens", None), getattr(app, "cookie_id", None)
    if not isinstance(tokens, dict) or cookie_id is None:
        return None
    cookies = HTTPConnection(scope).cookies
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(
        f"access-token-unsecure-{cookie_id}"
    )
    return tokens.get(token) if token else None


class UploadGuard:
    """Refuses file uploads (POST to a path ending in ``/upload``) unless
    ``may_upload(user)`` holds for the request's logged-in user (None: not logged in)."""

    def __init__(self, app: ASGIApp, may_upload: Callable[[str | None], bool]) -> None:
        self.app = app
        self.may_upload = may_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_upload = (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and scope.get("path", "").rstrip("/").endswith("/upload")
        )
        if not is_upload or await run_in_threadpool(self.may_upload, session_user(scope)):
            await self.app(scope, receive, send)
            return
        await _refuse(send, 403, "uploads are for admins: log in as an admin")
