"""The app started in-process on a free port and driven over HTTP with gradio_client."""

import sqlite3

import pytest
from gradio_client import Client

from app import Settings, build_app
from tests.support import free_port

pytestmark = pytest.mark.app


@pytest.fixture(scope="module")
def running(itune_home, tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "app.db"
    settings = Settings(
        home=itune_home, db_url=f"sqlite:///{db}", dtype="float32", max_chars=2000, server_port=0
    )
    blocks, _, slot = build_app(settings)
    port = free_port()
    blocks.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    slot.get(timeout=120)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
    yield client, db
    client.close()
    blocks.close()


def rows(db, sql, *args):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def test_revise_returns_edits_whose_offsets_match_the_source(running):
    client, db = running
    source = "He go to school yesterday and he buyed a apple."
    view = client.predict(source, ["fluency"], api_name="/revise")[0]
    assert view["source"] == source and view["revised"] != source
    assert view["edits"], "a sentence with two grammar errors should get edits"
    for edit in view["edits"]:
        assert source[edit["start_char_pos"] : edit["end_char_pos"]] == edit["before"]
        assert edit["intention"] == "fluency" and edit["status"] == "pending"
    stored = rows(
        db,
        "SELECT source_text, revised_text, model_name FROM revisions WHERE id=?",
        view["revision_id"],
    )
    assert stored == [(source, view["revised"], "smollm2-135m-instruct")]
    assert rows(db, "SELECT count(*) FROM edits WHERE revision_id=?", view["revision_id"]) == [
        (len(view["edits"]),)
    ]


def test_a_decision_lands_in_the_database_with_the_final_text(running):
    client, db = running
    source = "She dont like the apples that was on table."
    view = client.predict(source, ["fluency"], api_name="/revise")[0]
    assert view["edits"]
    after = client.predict(
        view["revision_id"], 0, "reject", "unnecessary", None, api_name="/decide"
    )
    assert after["edits"][0]["status"] == "rejected"
    first = view["edits"][0]
    expected = (
        view["revised"][: first["start_char_pos"]]  # edit 0 is first: offsets line up here
        + first["before"]
    )
    assert after["final_text"].startswith(expected)
    decisions = rows(
        db,
        "SELECT d.decision, d.reason FROM decisions d JOIN edits e ON e.id = d.edit_id "
        "WHERE e.revision_id=? AND e.position=0",
        view["revision_id"],
    )
    assert decisions == [("reject", "unnecessary")]
    final = rows(db, "SELECT final_text FROM revisions WHERE id=?", view["revision_id"])
    assert final == [(after["final_text"],)]


@pytest.mark.parametrize(
    ("text", "intentions", "message"),
    [
        ("   ", ["fluency"], "empty"),
        ("x" * 2001, ["fluency"], "limit is 2,000"),
        ("Fine text.", [], "at least one"),
    ],
)
def test_bad_revise_input_is_refused_and_stores_nothing(running, text, intentions, message):
    client, db = running
    before = rows(db, "SELECT count(*) FROM revisions")
    with pytest.raises(Exception, match=message):
        client.predict(text, intentions, api_name="/revise")
    assert rows(db, "SELECT count(*) FROM revisions") == before


def test_unknown_intention_is_refused_and_stores_nothing(running):
    client, db = running
    before = rows(db, "SELECT count(*) FROM revisions")
    with pytest.raises(Exception, match="grammar"):
        client.predict("Fine text.", ["grammar"], api_name="/revise")
    assert rows(db, "SELECT count(*) FROM revisions") == before


def test_a_decision_on_a_missing_edit_is_refused_and_stores_nothing(running):
    client, db = running
    view = client.predict("Their is a error here.", ["fluency"], api_name="/revise")[0]
    before = rows(db, "SELECT count(*) FROM decisions")
    with pytest.raises(Exception, match="no edit at position 99"):
        client.predict(view["revision_id"], 99, "accept", None, None, api_name="/decide")
    with pytest.raises(Exception, match="does not exist"):
        client.predict(10_000, 0, "accept", None, None, api_name="/decide")
    assert rows(db, "SELECT count(*) FROM decisions") == before


def test_rating_and_accept_all_are_stored(running):
    client, db = running
    view = client.predict(
        "Me and him goes to the park every days.", ["fluency"], api_name="/revise"
    )[0]
    done = client.predict(view["revision_id"], "accept", None, api_name="/decide_all")
    assert {e["status"] for e in done["edits"]} <= {"accepted"}
    assert done["final_text"] == view["revised"]
    client.predict(view["revision_id"], 4, api_name="/rate")
    assert rows(db, "SELECT rating FROM revisions WHERE id=?", view["revision_id"]) == [(4,)]


def test_history_lists_stored_revisions_newest_first(running):
    client, db = running
    history = client.predict(50, api_name="/history")
    ids = [row["revision_id"] for row in history]
    assert ids == sorted(ids, reverse=True)
    assert ids == [r[0] for r in rows(db, "SELECT id FROM revisions ORDER BY id DESC")]


def test_revise_again_leaves_out_the_rejected_edit_and_records_its_parent(running):
    client, db = running
    source = "He go to school yesterday and he buyed a apple."
    view = client.predict(source, ["fluency"], api_name="/revise")[0]
    assert view["edits"], "a sentence with two grammar errors should get edits"
    rejected = view["edits"][0]
    after = client.predict(view["revision_id"], 0, "reject", None, None, api_name="/decide")

    again = client.predict(
        after["final_text"], ["fluency"], view["revision_id"], api_name="/revise_again"
    )

    assert again["parent_id"] == view["revision_id"] and again["source"] == after["final_text"]
    pairs = [(e["before"].strip(), e["after"].strip()) for e in again["edits"]]
    assert (rejected["before"].strip(), rejected["after"].strip()) not in pairs
    stored = rows(db, "SELECT parent_id FROM revisions WHERE id=?", again["revision_id"])
    assert stored == [(view["revision_id"],)]


def test_revise_again_with_a_missing_parent_is_refused_and_stores_nothing(running):
    client, db = running
    before = rows(db, "SELECT count(*) FROM revisions")
    with pytest.raises(Exception, match="revision 99999 does not exist"):
        client.predict("Some text.", ["fluency"], 99999, api_name="/revise_again")
    assert rows(db, "SELECT count(*) FROM revisions") == before


def test_suggest_on_the_base_model_says_there_is_no_predictor(running):
    client, _ = running
    assert client.predict(api_name="/serving") is None
    with pytest.raises(Exception, match="no intention predictor"):
        client.predict("He go to school.", api_name="/suggest")
