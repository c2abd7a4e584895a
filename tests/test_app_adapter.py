"""The app serving a trained Intention-Tuning adapter (ITUNE_ADAPTER), over HTTP."""

import socket
import sqlite3

import pytest
from gradio_client import Client

from app import Settings, build_app

pytestmark = [pytest.mark.app, pytest.mark.real_model]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def running(itune_home, embedded_run, tmp_path_factory):
    db = tmp_path_factory.mktemp("db-adapter") / "app.db"
    settings = Settings(
        home=itune_home, db_url=f"sqlite:///{db}", dtype="float32", adapter=embedded_run
    )
    blocks, _, slot = build_app(settings)
    port = _free_port()
    blocks.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    slot.get(timeout=180)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
    yield client, db, slot, embedded_run
    client.close()
    blocks.close()


def test_revisions_name_the_adapter_that_made_them(running):
    client, db, _, run = running
    view = client.predict("She dont like apple.", ["fluency"], api_name="/revise")[0]
    assert view["adapter"] == run.name
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT adapter_name FROM revisions WHERE id=?", (view["revision_id"],)
        ).fetchall()
    assert stored == [(run.name,)]


def test_the_adapter_predictor_labels_each_edit_with_a_confidence(running):
    client, _, slot, _ = running
    assert slot.labeller is not None
    # A sentence of the run's training data: the adapter has learned to revise it.
    view = client.predict("He go to school yesterday.", ["fluency"], api_name="/revise")[0]
    assert view["edits"], f"the revision should change something: {view['revised']!r}"
    for edit in view["edits"]:
        assert edit["intention"] in {"clarity", "fluency"}  # the run's labels
        assert 0.0 < edit["confidence"] <= 1.0
