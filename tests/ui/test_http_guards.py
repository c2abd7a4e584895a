"""The HTTP guards on their own: origins, host names, and the single-user switch."""

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from ui.http_guards import HostGuard, OriginGuard, UploadGuard, host_name


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


def _upload_client(may_upload):
    asked, ran = [], []

    async def handler(request):
        ran.append(request.url.path)
        return PlainTextResponse("ok")

    def policy(user):
        asked.append(user)
        return may_upload(user)

    routes = [
        Route(path, handler, methods=["GET", "POST"]) for path in ("/gradio_api/upload", "/act")
    ]
    app = Starlette(routes=routes, middleware=[Middleware(UploadGuard, may_upload=policy)])
    app.tokens, app.cookie_id = {"tok-admin": "ada", "tok-writer": "wes"}, "c1"
    return TestClient(app, base_url="http://127.0.0.1:7860"), asked, ran


def test_only_those_the_policy_allows_upload():
    client, asked, ran = _upload_client(lambda user: user == "ada")
    files = {"files": ("data.jsonl", b"{}\n")}
    client.cookies.set("access-token-c1", "tok-writer")
    refused = client.post("/gradio_api/upload", files=files)
    assert refused.status_code == 403 and "admins" in refused.json()["detail"]
    assert client.post("/gradio_api/upload/", files=files).status_code == 403
    client.cookies.set("access-token-c1", "tok-admin")
    assert client.post("/gradio_api/upload", files=files).status_code == 200
    client.cookies.clear()
    client.cookies.set("access-token-unsecure-c1", "tok-admin")  # served over plain HTTP
    assert client.post("/gradio_api/upload", files=files).status_code == 200
    assert asked == ["wes", "wes", "ada", "ada"] and ran == ["/gradio_api/upload"] * 2


def test_no_session_is_nobody_and_other_requests_pass_unasked():
    client, asked, ran = _upload_client(lambda user: user is not None)
    assert client.post("/gradio_api/upload", files={"files": ("x", b"x")}).status_code == 403
    client.cookies.set("access-token-c1", "forged")
    assert client.post("/gradio_api/upload", files={"files": ("x", b"x")}).status_code == 403
    assert (
        client.post("/act").status_code == 200
        and client.get("/gradio_api/upload").status_code == 200
    )
    assert asked == [None, None] and ran == ["/act", "/gradio_api/upload"]
