"""Hostile input, tried with hypothesis and a few real HTTP calls: the diff, the metrics, the
JSONL loader, the revise endpoint and the HTML the Revise tab shows.

Every input either gets a clear domain error (and changes nothing) or is handled exactly:
stored as sent, diffed back to itself, scored within 0-100, and shown as text, never as
markup. The HTTP tests (marked ``app``) start the app in-process on the embedded model.
"""

import json
import random
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from itune_core.edits import Edit, apply_edits, compute_edits
from itune_core.errors import InvalidText, ItuneError, ModelLoadError
from itune_core.metrics import gleu, sari_corpus, sari_sentence_t2t, sari_t2t, update_rouge
from itune_core.reviser import ReviseProgress, Revision, check_text
from services.errors import PermissionDenied
from services.studio import Studio
from storage.errors import InvalidState
from storage.store import Store
from tests.support import free_port
from training.data import DataError, Dataset, load_jsonl
from ui import render

SCRIPT = '<script>alert("pwned")</script>'
IMG = "<img src=x onerror=alert(1)>"
# One of each kind of text a writer (or an attacker) might paste.
HOSTILE = [
    "",
    " ",
    "\t\n \r\n",
    "\u00a0\u2003\u3000",  # no-break, em and ideographic spaces
    "\x01\x07\x08\x1b[31mred\x1b[0m\x7f",  # control characters, a terminal escape
    "\u200b\u200d\ufeff\u2060",  # zero-width characters
    "\u2028\u2029",  # Unicode line and paragraph separators
    "Ελληνικά, русский, 中文, हिन्दी, 日本語 and English.",
    "👩‍💻 wrote 🎉🇫🇷 emoji 👍🏽.",
    "שלום עולם. مرحبا بالعالم!",
    "\u202eevil\u202c \u200fright-to-left\u200e",  # bidi overrides
    "e\u0301 n\u0303 Å",  # combining marks
    SCRIPT,
    IMG,
    '<b>bold</b> & <i>it\'s</i> "quoted" &amp; &lt;not a tag&gt;',
    "He go to school & <b>buyed</b> a apple.",
]
WORDS = ["He", "go", "went", "to", "school", ".", ",", "a", "apple", "<", ">", "&", '"', "'"]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.lists(st.sampled_from(HOSTILE + WORDS), max_size=8).map(" ".join),
)
# A revision of a text: another hostile text, or the text with a hostile piece spliced in.
hostile_pair = st.one_of(
    st.tuples(hostile_text, hostile_text),
    st.tuples(hostile_text, st.sampled_from(HOSTILE), st.integers(0, 60)).map(
        lambda t: (t[0], t[0][: t[2]] + t[1] + t[0][t[2] :])
    ),
)


# --- the diff -----------------------------------------------------------------------------


@given(hostile_pair, st.data())
@settings(max_examples=200, deadline=None)
def test_hostile_edits_rebuild_the_revision_and_any_subset_applies(pair, data):
    source, revision = pair
    edits = compute_edits(source, revision)
    assert apply_edits(source, edits) == revision
    for edit in edits:
        assert source[edit.start_char_pos : edit.end_char_pos] == edit.before
    subset = data.draw(st.lists(st.sampled_from(edits), unique=True) if edits else st.just([]))
    assert isinstance(apply_edits(source, subset), str)


def big_text(chars: int = 100_000, seed: int = 7) -> str:
    """About ``chars`` characters of made-up words in many scripts, in sentences. Not one
    sentence pasted over and over: difflib needs time cubic in the edits on such text."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzαβγδεжзийשלוםمرحب中文日本"
    vocabulary = ["".join(rng.choices(letters, k=rng.randint(1, 9))) for _ in range(4000)]
    vocabulary += ["👍", "<b>", "&", "\u202e", "e\u0301"]
    sentences, length = [], 0
    while length < chars:
        sentences.append(" ".join([*rng.choices(vocabulary, k=12), "."]))
        length += len(sentences[-1]) + 1
    return " ".join(sentences)[:chars]


def five_words_changed(text: str) -> str:
    """``text`` with five of its words, far apart, replaced by new ones."""
    words = text.split(" ")
    for k in range(5):
        words[(k + 1) * len(words) // 6] = f"NEW{k}"
    return " ".join(words)


def test_a_100k_character_text_is_diffed_and_rebuilt_exactly():
    source = big_text()
    revision = five_words_changed(source)
    edits = compute_edits(source, revision)
    assert [e.after for e in edits] == [f"NEW{k}" for k in range(5)]
    assert apply_edits(source, edits) == revision
    assert check_text(source, 200_000) is source


# --- the metrics ------------------------------------------------------------------------


METRICS: list[Callable] = [sari_corpus, sari_t2t, gleu, update_rouge]
references = st.lists(hostile_text, min_size=1, max_size=3)
corpus = st.lists(st.tuples(hostile_text, hostile_text, references), min_size=1, max_size=3)


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.__name__)
@given(examples=corpus)
@example(examples=[("", "", [""])])
@example(examples=[(" ", "\n", ["\t", ""])])
@example(examples=[(SCRIPT, IMG, ["\u202e", "👩‍💻"])])
@settings(max_examples=80, deadline=None)
def test_metrics_stay_within_0_and_100_for_any_text(metric, examples):
    sources, outputs, refs = (list(column) for column in zip(*examples, strict=True))
    assert 0.0 <= metric(sources, outputs, refs) <= 100.0


@given(hostile_text, hostile_text, references)
@example("", "", [""])
@settings(max_examples=80, deadline=None)
def test_sentence_sari_stays_within_0_and_100_for_any_text(source, output, refs):
    assert 0.0 <= sari_sentence_t2t(source, output, refs) <= 100.0


# Update-R splits texts into sentences, which takes time quadratic in the text's length
# (segment.split_pieces looks back over the whole text at every full stop: 22 s for 100k
# characters), so it is scored at the app's default limit.
@pytest.mark.parametrize(
    ("metric", "chars"),
    [(sari_corpus, 100_000), (sari_t2t, 100_000), (gleu, 100_000), (update_rouge, 20_000)],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_metrics_score_a_long_text(metric, chars):
    source = big_text(chars)
    output = five_words_changed(source)
    assert 0.0 < metric([source], [output], [[output, source]]) <= 100.0


# --- the JSONL loader -------------------------------------------------------------------

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=6,
)
label = st.sampled_from(["fluency", "clarity", "others", "Style, coherence", "grammar", ""])
sentence_row = st.fixed_dictionaries(
    {"before_sent": hostile_text, "after_sent": hostile_text, "labels": label | st.lists(label)}
)
edit_action = st.dictionaries(
    st.sampled_from(
        ["type", "before", "after", "start_char_pos", "end_char_pos", "intention", "major_intent"]
    ),
    json_value | label | st.sampled_from(["A", "D", "R"]) | st.integers(-2, 12),
)
document_row = st.fixed_dictionaries(
    {
        "before_revision": hostile_text,
        "after_revision": hostile_text,
        "edit_actions": st.lists(edit_action, max_size=3),
    }
)
# Rows with the loader's field names but any values, some keys left out.
FIELDS = ["before_sent", "after_sent", "labels", "before_revision", "edit_actions", "doc_id"]
shuffled_row = st.dictionaries(st.sampled_from(FIELDS), json_value | label)
json_line = st.one_of(sentence_row, document_row, shuffled_row, json_value).map(json.dumps)


@st.composite
def jsonl_line(draw) -> bytes:
    """One line of a file: good or bad JSON, cut short, or bytes that are not UTF-8."""
    kind = draw(st.sampled_from(["json", "json", "json", "cut", "text", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=40)).replace(b"\n", b" ")
    line = draw(hostile_text) if kind == "text" else draw(json_line)
    if kind == "cut":
        line = line[: draw(st.integers(0, len(line)))]
    return line.replace("\n", " ").encode("utf-8")


@given(lines=st.lists(jsonl_line(), min_size=0, max_size=6))
@example(lines=[b'{"before_sent": NaN, "after_sent": "b", "labels": "fluency"}'])
@example(lines=[b'\xef\xbb\xbf{"before_sent": "a", "after_sent": "b", "labels": "style"}'])
@settings(max_examples=300, deadline=None)
def test_garbled_jsonl_gives_a_dataset_or_an_error_naming_line_and_field(lines):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.jsonl"
        path.write_bytes(b"\n".join(lines))
        try:
            dataset = load_jsonl(path)
        except DataError as err:
            message = str(err)
            assert "\n" not in message and str(path) in message
            if err.line is not None:
                assert 1 <= err.line <= len(lines)
                assert f"line {err.line}:" in message
            if err.field is not None:
                assert f"field {err.field!r}:" in message
        else:
            assert isinstance(dataset, Dataset) and len(dataset) >= 1


def test_a_deeply_nested_line_is_a_data_error_naming_its_line(tmp_path):
    # json.loads raises RecursionError, not JSONDecodeError, past ~1000 nested levels.
    path = tmp_path / "deep.jsonl"
    good = b'{"before_sent": "a", "after_sent": "b", "labels": "fluency"}'
    path.write_bytes(good + b"\n" + b'{"before_sent": ' + b"[" * 100_000 + b"\n")
    with pytest.raises(DataError, match=r"deep\.jsonl line 2: "):
        load_jsonl(path)


# --- the revise endpoint over a fake reviser ---------------------------------------------


@dataclass
class SplicingReviser:
    """Answers every text with ``answer(text)``, streamed the way ``Reviser.stream`` is."""

    answer: Callable[[str], str]
    adapter_name: str | None = None
    labeller: None = None

    def stream(self, text, intentions):
        revised = self.answer(text)
        yield ReviseProgress(0, 1, text)
        revision = Revision(
            source=text,
            revised=revised,
            intentions=tuple(intentions),
            edits=tuple(compute_edits(text, revised, intentions[0])),
            generated_tokens=3,
            seconds=0.01,
            model="fake",
        )
        yield ReviseProgress(1, 1, revised, revision)


@pytest.fixture(scope="module")
def fake_store(tmp_path_factory):
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'itune.db'}")
    yield store
    store.close()


def revise_once(studio: Studio, text: str) -> dict:
    *_, (_, view) = studio.revise(text, ["fluency"])
    return view


def count_revisions(store: Store) -> int:
    return len(store.list_revisions(limit=100_000))


@given(text=hostile_text, splice=st.sampled_from(HOSTILE))
@example(text=" \t\n", splice="")
@example(text="He go \x00 home.", splice="")
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_revise_refuses_bad_text_or_stores_it_exactly(fake_store, text, splice):
    studio = Studio(
        get_reviser=lambda *_: SplicingReviser(lambda t: splice + t + splice),
        store=fake_store,
        max_chars=500,
    )
    before = count_revisions(fake_store)
    if not text.strip() or "\x00" in text:
        with pytest.raises(InvalidText):
            revise_once(studio, text)
        assert count_revisions(fake_store) == before
        return
    view = revise_once(studio, text)
    stored = fake_store.get_revision(view["revision_id"])
    assert (view["source"], stored.source) == (text, text)
    assert stored.revised == splice + text + splice == stored.final_text
    assert apply_edits(stored.source, stored.edits) == stored.revised


@pytest.mark.parametrize("text", ["He go \ud800 home.", "\udfff", "a\ud83db"])
def test_text_with_a_lone_surrogate_is_refused_before_anything_is_stored(fake_store, text):
    # JSON lets a request carry "\ud800", which no database can store as UTF-8.
    studio = Studio(
        get_reviser=lambda *_: SplicingReviser(lambda t: t), store=fake_store, max_chars=500
    )
    before = count_revisions(fake_store)
    with pytest.raises(InvalidText, match="surrogate"):
        revise_once(studio, text)
    assert count_revisions(fake_store) == before


@given(note=hostile_text, typed=hostile_text)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_note_and_a_typed_final_text_are_stored_exactly_or_refused(fake_store, note, typed):
    studio = Studio(
        get_reviser=lambda *_: SplicingReviser(lambda t: t.replace("go", "went")),
        store=fake_store,
        max_chars=500,
    )
    revision_id = revise_once(studio, "He go home.")["revision_id"]
    if "\x00" in note + typed:
        with pytest.raises(InvalidText, match="NUL"):
            studio.decide(revision_id, 0, "reject", "other", note=note or None, typed_text=typed)
        assert fake_store.get_revision(revision_id).decisions == {}
        return
    studio.decide(revision_id, 0, "reject", "other", note=note or None)
    studio.save_final(revision_id, typed)
    stored = fake_store.get_revision(revision_id)
    assert stored.decisions[0].note == (note or None) and stored.final_text == typed


def test_a_note_or_final_text_with_a_lone_surrogate_is_refused(fake_store):
    studio = Studio(
        get_reviser=lambda *_: SplicingReviser(lambda t: t.replace("go", "went")),
        store=fake_store,
        max_chars=500,
    )
    revision_id = revise_once(studio, "He go home.")["revision_id"]
    with pytest.raises(InvalidText, match="surrogate"):
        studio.decide(revision_id, 0, "reject", "other", note="bad \udc80 note")
    with pytest.raises(InvalidText, match="surrogate"):
        studio.save_final(revision_id, "He went \ud800 home.")
    stored = fake_store.get_revision(revision_id)
    assert stored.decisions == {} and stored.final_text == "He went home."


def test_100k_characters_are_refused_over_the_limit_and_stored_exactly_under_it(fake_store):
    text = big_text()
    answer = five_words_changed(text)
    revise = SplicingReviser(five_words_changed)
    strict = Studio(get_reviser=lambda *_: revise, store=fake_store, max_chars=20_000)
    before = count_revisions(fake_store)
    with pytest.raises(InvalidText, match="100,000 characters; the limit is 20,000"):
        revise_once(strict, text)
    assert count_revisions(fake_store) == before

    roomy = Studio(get_reviser=lambda *_: revise, store=fake_store, max_chars=200_000)
    stored = fake_store.get_revision(revise_once(roomy, text)["revision_id"])
    assert (stored.source, stored.revised) == (text, answer)
    assert apply_edits(stored.source, stored.edits) == answer


# --- rendering --------------------------------------------------------------------------

ALLOWED_TAGS = {"div", "span", "del", "ins", "sup", "small"}
ALLOWED_ATTRIBUTES = {"class", "style", "title"}


class Shown(HTMLParser):
    """What a browser would make of the HTML: its tags and attributes, and the text a
    reader sees on each side of the edits (source: no <ins>; revision: no <del>)."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.open: list[str] = []
        self.source: list[str] = []
        self.revised: list[str] = []
        self.feed(markup)
        self.close()
        assert not self.open, f"unclosed tags {self.open}"

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open.pop() == tag

    def handle_data(self, data):
        if "sup" in self.open:  # the edit's number
            return
        if "ins" not in self.open:
            self.source.append(data)
        if "del" not in self.open:
            self.revised.append(data)


statuses = st.dictionaries(st.integers(0, 8), st.sampled_from(["accepted", "rejected"]))


@given(hostile_pair, statuses, st.sampled_from([None, "fluency", '"><script>x</script>']))
@example((SCRIPT, IMG), {}, None)
@example(("Tom & Jerry", 'Tom &amp; "Jerry"'), {0: "rejected"}, "clarity")
@settings(max_examples=200, deadline=None)
def test_inline_html_shows_any_text_as_text(pair, chosen, intention):
    source, revision = pair
    edits = compute_edits(source, revision, intention)
    shown = Shown(render.inline_html(source, edits, chosen))
    assert shown.tags <= ALLOWED_TAGS and shown.attributes <= ALLOWED_ATTRIBUTES
    assert "".join(shown.source) == source
    assert "".join(shown.revised) == revision


def test_script_and_event_handler_payloads_are_escaped_in_every_fragment():
    source = f"Say {SCRIPT} and {IMG} & 'that'."
    revision = f'Said {IMG} "{SCRIPT}" &amp; that.'
    edits = compute_edits(source, revision, "fluency")
    edit = Edit("R", SCRIPT, IMG, 0, len(SCRIPT), intention='x" onmouseover="alert(1)')
    fragments = [
        render.inline_html(source, edits, {0: "accepted", 1: "rejected"}),
        render.plain_html(revision),
        render.edit_row_html(0, edit, "rejected"),
        render.edit_span(3, edit, "pending"),
    ]
    for markup in fragments:
        shown = Shown(markup)
        assert shown.tags <= ALLOWED_TAGS and shown.attributes <= ALLOWED_ATTRIBUTES
        assert "<script" not in markup.lower() and "<img" not in markup.lower()
        assert "&lt;script&gt;" in markup or "&lt;img" in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in fragments[1]
    assert "&quot;" in fragments[1] and "&amp;amp;" in fragments[1]


# --- real HTTP calls --------------------------------------------------------------------


@pytest.fixture(scope="module")
def running(itune_home, tmp_path_factory):
    """The app in-process on the embedded model (2,000 characters at most); yields
    ``(client, base url, database file)``."""
    from app import Settings, build_app

    db = tmp_path_factory.mktemp("hostile-app") / "app.db"
    settings = Settings(
        home=itune_home, db_url=f"sqlite:///{db}", dtype="float32", max_chars=2000, server_port=0
    )
    blocks, _, slot = build_app(settings)
    port = free_port()
    blocks.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    slot.get(timeout=180)
    base = f"http://127.0.0.1:{port}"
    client = Client(base + "/", verbose=False)
    yield client, base, db
    client.close()
    blocks.close()


def rows(db: Path, sql: str, *args) -> list[tuple]:
    with closing(sqlite3.connect(db)) as connection:  # sqlite3's own `with` leaves it open
        return connection.execute(sql, args).fetchall()


@pytest.mark.app
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        (" \t\n\u00a0\u3000 ", "empty"),
        ("x" * 100_000, "100,000 characters; the limit is 2,000"),
        ("He go\x00 home.", "NUL character"),
    ],
    ids=["empty", "whitespace", "100k", "nul"],
)
def test_bad_text_over_http_is_refused_with_a_message(running, text, message):
    client, _, db = running
    before = rows(db, "SELECT count(*) FROM revisions")
    with pytest.raises(Exception, match=message):
        client.predict(text, ["fluency"], api_name="/revise")
    assert rows(db, "SELECT count(*) FROM revisions") == before


@pytest.mark.app
def test_hostile_text_over_http_is_stored_exactly_and_shown_as_text(running):
    client, _, db = running
    text = f"He go home {SCRIPT} & {IMG} שלום 👍 Ελλάδα.\x07"
    view, inline, *_ = client.predict(text, ["fluency"], api_name="/revise")
    stored = rows(
        db, "SELECT source_text, revised_text FROM revisions WHERE id=?", view["revision_id"]
    )
    assert stored == [(text, view["revised"])]
    shown = Shown(inline)
    assert shown.tags <= ALLOWED_TAGS and shown.attributes <= ALLOWED_ATTRIBUTES
    assert "".join(shown.source) == text
    assert "<script" not in inline.lower() and "<img" not in inline.lower()
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in inline


@pytest.mark.app
def test_a_lone_surrogate_over_http_is_refused_with_a_message(running):
    # gradio_client cannot send one (it encodes to UTF-8 first); raw JSON can.
    _, base, db = running
    before = rows(db, "SELECT count(*) FROM revisions")
    body = '{"data": ["He go \\ud800 home.", ["fluency"]]}'
    headers = {"content-type": "application/json"}
    api = f"{base}/gradio_api/call/revise"
    event = httpx.post(api, content=body, headers=headers, timeout=30).json()["event_id"]
    answer = httpx.get(f"{api}/{event}", timeout=120).text
    assert "event: error" in answer and "surrogate" in answer, answer
    assert rows(db, "SELECT count(*) FROM revisions") == before


def test_every_hostile_sample_is_text_the_store_keeps_or_refuses(fake_store):
    # The fixed samples one by one, so a failure names the sample.
    studio = Studio(
        get_reviser=lambda *_: SplicingReviser(lambda t: t + " <b>"),
        store=fake_store,
        max_chars=500,
    )
    for text in HOSTILE:
        try:
            view = revise_once(studio, text)
        except ItuneError as err:
            assert isinstance(err, InvalidText) and not text.strip(), text
            continue
        assert fake_store.get_revision(view["revision_id"]).source == text


def test_a_final_text_or_note_past_the_limits_is_refused_and_changes_nothing(fake_store):
    studio = Studio(
        get_reviser=lambda *_: SplicingReviser(lambda t: t.replace("go", "went")),
        store=fake_store,
        max_chars=500,
    )
    revision_id = revise_once(studio, "He go home.")["revision_id"]
    with pytest.raises(InvalidText, match="the limit is 500, as for a draft"):
        studio.save_final(revision_id, "x" * 501)
    with pytest.raises(InvalidText, match="the limit is 500"):
        studio.decide(revision_id, 0, "accept", typed_text="y" * 10_000)
    with pytest.raises(InvalidText, match="note has 2,001 characters"):
        studio.decide(revision_id, 0, "reject", "other", note="z" * 2_001)
    with pytest.raises(InvalidText, match="must be a string"):
        studio.save_final(revision_id, ["not", "text"])
    stored = fake_store.get_revision(revision_id)
    assert stored.decisions == {} and stored.final_text == "He went home."
    studio.save_final(revision_id, "x" * 500)  # at the limit: kept
    assert fake_store.get_revision(revision_id).final_text == "x" * 500


def test_a_writer_is_told_the_adapter_s_name_not_the_server_s_paths(fake_store, caplog):
    def broken(*_):
        raise ModelLoadError("adapter folder /data/runs/run-7 does not exist")

    studio = Studio(
        get_reviser=broken,
        store=fake_store,
        max_chars=500,
        current_adapter=lambda: "fluency-v2",
        reviser_named=lambda name: broken(),
    )
    for call in (
        lambda: revise_once(studio, "He go home."),
        lambda: list(studio.revise("He go home.", ["fluency"], adapter="other-one")),
        lambda: studio.suggest("He go home."),
    ):
        with pytest.raises(ModelLoadError) as caught:
            call()
        assert "/data/runs" not in str(caught.value)
        assert "cannot be served now" in str(caught.value)
    assert "'fluency-v2'" in str(caught.value)
    assert "/data/runs/run-7" in caplog.text  # the admin finds it in the log


def test_only_the_writer_of_a_revision_may_act_on_it_whatever_the_session(fake_store):
    studio = Studio(
        get_reviser=lambda *_: SplicingReviser(lambda t: t.replace("go", "went")),
        store=fake_store,
        max_chars=500,
    )
    *_, (_, view) = studio.revise("He go home.", ["fluency"], user="ada", session_id="s-ada")
    rid = view["revision_id"]
    for act in (
        lambda: studio.decide(rid, 0, "reject", "other", user="mallory"),
        lambda: studio.decide_many(rid, None, "accept", user="mallory"),
        lambda: studio.save_final(rid, "Mallory was here.", user="mallory"),
        lambda: studio.rate(rid, 1, user="mallory"),
        lambda: studio.get(rid, user="mallory"),
        lambda: studio.decide(rid, 0, "accept"),  # no login at all
    ):
        with pytest.raises(PermissionDenied, match=f"revision {rid} is not yours"):
            act()
    stored = fake_store.get_revision(rid)
    assert stored.decisions == {} and stored.final_text == "He went home."
    assert stored.rating is None
    assert studio.decide(rid, 0, "accept", user="ada")["edits"][0]["status"] == "accepted"


def test_a_user_created_while_the_app_runs_closes_the_writer_actions_to_anonymous_calls(
    tmp_path,
):
    from services.access import Access
    from storage.users import UserStore

    store = Store.open(f"sqlite:///{tmp_path / 'itune.db'}")
    users = UserStore(store.engine)
    studio = Studio(
        get_reviser=lambda *_: SplicingReviser(lambda t: t.replace("go", "went")),
        store=store,
        max_chars=500,
        identify=Access(users, loopback=True).identity,
    )
    rid = revise_once(studio, "He go home.")["revision_id"]  # local mode: no login
    assert [r["revision_id"] for r in studio.history()] == [rid]
    users.create_user("ada", "ada-password", is_admin=True)  # while the app runs
    for act in (
        lambda: studio.history(),
        lambda: studio.get(rid),
        lambda: studio.save_final(rid, "Anonymous text."),
        lambda: studio.decide(rid, 0, "reject", "other"),
        lambda: studio.rate(rid, 1),
        lambda: revise_once(studio, "He go home again."),
        lambda: studio.suggest("He go home."),
    ):
        with pytest.raises(PermissionDenied, match="please log in first"):
            act()
    stored = store.get_revision(rid)
    assert stored.final_text == "He went home." and stored.decisions == {}
    assert count_revisions(store) == 1
    store.close()


def test_one_writer_may_have_only_a_few_revisions_running(fake_store):
    studio = Studio(
        get_reviser=lambda *_: SplicingReviser(lambda t: t.replace("go", "went")),
        store=fake_store,
        max_chars=500,
        max_in_flight=2,
    )
    before = count_revisions(fake_store)
    running = [studio.revise("He go home.", ["fluency"], user="ada") for _ in range(2)]
    for stream in running:
        next(stream)  # started: the model is on it
    with pytest.raises(InvalidState, match="you already have 2 revisions running"):
        next(studio.revise("He go out.", ["fluency"], user="ada"))
    other = list(studio.revise("He go out.", ["fluency"], user="wes"))  # others go on
    assert other[-1][1]["user"] == "wes"
    list(running[0])  # one finishes: ada may start another
    assert list(studio.revise("He go out.", ["fluency"], user="ada"))[-1][1] is not None
    running[1].close()  # a closed page frees its place too
    assert studio._running == {}
    assert count_revisions(fake_store) == before + 3


def test_a_text_of_too_many_pieces_is_refused_before_any_decoding(embedded):
    from itune_core.reviser import Reviser, ReviseSettings

    reviser = Reviser(
        embedded.model, embedded.tokenizer, model_name="m", settings=ReviseSettings(max_pieces=50)
    )
    with pytest.raises(InvalidText, match="51 sentences or lines; the limit is 50"):
        next(reviser.stream("x\n" * 51, ["fluency"]))
