"""The HTTP guards on their own: origins, host names, and the single-user switch."""

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from ui.http_guards import HostGuard, OriginGuard, host_name


@pytest.mark.parametrize(
    ("value", "name"),
    [("127.0.0.1:7860", "127.0.0.1"), ("[::1]:7860", "::1"), ("LocalHost", "localhost"),
     ("::1", "::1"), ("studio.example.org:443", "studio.example.org")],
)  # fmt: skip
def test_host_names_are_read_without_port_or_brackets(value, name):
    assert host_name(value) == name


def _client(single_user, allowed=()):
    ran = []

    async def handler(request):
        ran.append(request.url.path)
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[Route("/act", handler, methods=["GET", "POST"])],
        middleware=[
            Middleware(OriginGuard, allowed=allowed),
            Middleware(HostGuard, single_user=single_user),
        ],
    )
    return TestClient(app, base_url="http://127.0.0.1:7860"), ran


def test_a_user_created_while_the_app_runs_ends_the_loopback_only_rule():
    users = []
    client, ran = _client(lambda: not users)
    assert client.get("/act", headers={"Host": "rebind.example"}).status_code == 403
    users.append("ada")
    assert client.get("/act", headers={"Host": "rebind.example"}).status_code == 200
    assert ran == ["/act"]


def test_only_the_app_s_own_origin_and_the_configured_ones_pass():
    client, ran = _client(lambda: False, allowed=["https://studio.example.org/"])
    ok = [
        {"Origin": "http://127.0.0.1:7860"},
        {"Origin": "https://studio.example.org"},
        {"Host": "studio.internal", "Origin": "https://studio.internal"},  # TLS proxy
        {},
    ]
    for headers in ok:
        assert client.post("/act", headers=headers).status_code == 200, headers
    for origin in ("https://evil.example", "null", "http://127.0.0.1:7861", "file://"):
        response = client.post("/act", headers={"Origin": origin})
        assert response.status_code == 403 and "refused" in response.json()["detail"]
    assert len(ran) == len(ok)
