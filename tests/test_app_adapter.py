"""The app serving a trained Intention-Tuning adapter (ITUNE_ADAPTER, then the registry's
active one, switched without a restart), over HTTP."""

import sqlite3

import pytest
from gradio_client import Client

from app import Settings, build_app
from storage.registry import NewAdapter, Registry
from tests.support import free_port

pytestmark = [pytest.mark.app, pytest.mark.real_model]


@pytest.fixture(scope="module")
def running(itune_home, embedded_run, tmp_path_factory):
    db = tmp_path_factory.mktemp("db-adapter") / "app.db"
    settings = Settings(
        home=itune_home, db_url=f"sqlite:///{db}", dtype="float32", adapter=embedded_run
    )
    blocks, studio, slot = build_app(settings)
    port = free_port()
    blocks.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    slot.get(timeout=180)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
    yield client, db, studio, embedded_run
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


def count_revisions(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM revisions").fetchone()[0]


def stored_adapter(db, revision_id):
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT adapter_name FROM revisions WHERE id=?", (revision_id,)
        ).fetchall()


def test_the_adapter_predictor_labels_edits_made_for_several_intentions(running):
    client, db, studio, _ = running
    assert studio.get_reviser().labeller is not None
    # A sentence of the run's training data: the adapter has learned to revise it.
    view = client.predict("He go to school yesterday.", ["fluency"], api_name="/revise")[0]
    assert view["edits"], f"the revision should change something: {view['revised']!r}"
    # one intention asked: each edit carries it, and the predictor is not asked
    assert {(e["intention"], e["confidence"]) for e in view["edits"]} == {("fluency", None)}
    view = client.predict("He go to school yesterday.", ["fluency", "style"], api_name="/revise")[0]
    assert view["edits"], f"the revision should change something: {view['revised']!r}"
    for edit in view["edits"]:
        # the likelier of the two asked, its share of their probability
        assert edit["intention"] in {"fluency", "style"}
        assert 0.5 <= edit["confidence"] <= 1.0
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT intention, confidence FROM edits WHERE revision_id=? ORDER BY position",
            (view["revision_id"],),
        ).fetchall()
    assert stored == [(e["intention"], e["confidence"]) for e in view["edits"]]


def test_suggest_proposes_the_run_labels_with_confidences(running):
    client, db, _, _ = running
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT count(*) FROM revisions").fetchall()
    found = client.predict("He go to school yesterday.", api_name="/suggest")
    assert found, "a draft with an error should get a suggestion"
    assert {s["intention"] for s in found} <= {"clarity", "fluency"}  # the run's labels
    confidences = [s["confidence"] for s in found]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 < c <= 1.0 for c in confidences)
    with sqlite3.connect(db) as conn:  # a trial revision, not recorded
        assert conn.execute("SELECT count(*) FROM revisions").fetchall() == before


def test_activating_an_adapter_switches_new_revisions_without_a_restart(running):
    client, db, studio, run = running
    registry = Registry(studio.store.engine)
    try:
        assert client.predict(api_name="/serving") == run.name  # ITUNE_ADAPTER by default
        adapter = registry.register_adapter(
            NewAdapter(
                name="registered-run",
                path=str(run),
                base_model="embedded",
                method="intention-tuning",
            )
        )
        registry.activate(adapter.id, by_user="test")
        assert client.predict(api_name="/serving") == "registered-run"
        view = client.predict("The result are good.", ["fluency"], api_name="/revise")[0]
        assert view["adapter"] == "registered-run"
        assert stored_adapter(db, view["revision_id"]) == [("registered-run",)]

        registry.activate(None, by_user="test")  # the base model, even with ITUNE_ADAPTER
        assert client.predict(api_name="/serving") is None
        view = client.predict("The result are good.", ["fluency"], api_name="/revise")[0]
        assert view["adapter"] is None
        assert stored_adapter(db, view["revision_id"]) == [(None,)]
    finally:  # back to "nothing activated": ITUNE_ADAPTER serves again
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM activations")
    assert client.predict(api_name="/serving") == run.name


def test_an_intention_set_is_served_by_its_own_adapter(running):
    # One active adapter per intention set: fluency-only requests get the adapter chosen
    # for them; other sets keep the default, here ITUNE_ADAPTER until the default is
    # chosen, then the base model.
    client, db, studio, run = running
    registry = Registry(studio.store.engine)
    try:
        adapter = registry.register_adapter(
            NewAdapter(name="fluency-run", path=str(run), base_model="embedded", method="lora")
        )
        registry.activate(adapter.id, by_user="test", intentions=["fluency"])
        fluent = client.predict("The result are good.", ["fluency"], api_name="/revise")[0]
        assert fluent["adapter"] == "fluency-run"
        assert stored_adapter(db, fluent["revision_id"]) == [("fluency-run",)]
        other = client.predict("The result are good.", ["clarity"], api_name="/revise")[0]
        assert other["adapter"] == run.name  # nothing chosen for the default yet
        both = client.predict("The result are good.", ["fluency", "clarity"], api_name="/revise")
        assert both[0]["adapter"] == run.name  # not exactly the fluency set

        registry.activate(None, by_user="test")  # the default: the base model
        other = client.predict("The result are good.", ["clarity"], api_name="/revise")[0]
        assert other["adapter"] is None
        fluent = client.predict("The result are good.", ["fluency"], api_name="/revise")[0]
        assert fluent["adapter"] == "fluency-run"
    finally:
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM activations")


def test_requests_naming_different_adapters_each_get_their_own(running):
    client, db, studio, run = running
    Registry(studio.store.engine).register_adapter(
        NewAdapter(name="chosen-run", path=str(run), base_model="embedded", method="lora")
    )
    # A sentence on which the adapter and the base model disagree, so cross-talk would show.
    for text in ("She dont like apple.", "The result are good.", "We uses a method that is new."):
        alone = {
            name: client.predict(text, ["fluency"], name, api_name="/revise_with")
            for name in ("chosen-run", "base")
        }
        if alone["chosen-run"]["revised"] != alone["base"]["revised"]:
            break
    else:
        pytest.fail("the adapter revises every sentence as the base model does")
    # Two writers (sessions), two requests each: a writer may have two running at once.
    other = Client(client.src, verbose=False)
    jobs = [
        (name, writer.submit(text, ["fluency"], name, api_name="/revise_with"))
        for writer in (client, other)
        for name in ("chosen-run", "base")
    ]
    for name, job in jobs:
        view = job.result()
        assert view["adapter"] == (None if name == "base" else name)
        assert view["revised"] == alone[name]["revised"], f"{name} got another adapter's text"
        assert stored_adapter(db, view["revision_id"]) == [(view["adapter"],)]
    other.close()
    assert client.predict(api_name="/serving") == run.name, "naming an adapter activates nothing"


def test_naming_an_unknown_adapter_is_refused_and_stores_nothing(running):
    client, db, _, _ = running
    before = count_revisions(db)
    with pytest.raises(Exception, match="no adapter named 'nope'"):
        client.predict("She dont like apple.", ["fluency"], "nope", api_name="/revise_with")
    assert count_revisions(db) == before
