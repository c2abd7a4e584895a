"""The built-in adapter (adapters/itune-default): the app serves it with no setting, names
it on the page and in ``/serving``, lists it in the registry as built-in, and an admin can
still switch to the base model; over HTTP, it fixes learner errors and leaves the rest, and
a request for clarity alone goes to its clarity specialist (adapters/itune-default-clarity),
which cuts wordy phrases, and one for style alone to its style specialist
(adapters/itune-default-style), which makes casual wording formal, and one for fluency
alone to its fluency specialist (adapters/itune-default-fluency), which also mends errors of
everyday usage; asked for several intentions, the built-in adapter revises and the clarity
and style specialists, where their intention was asked, revise its answer again, unless an
admin has chosen for the set or the specialist's own."""

import json
import sqlite3

import pytest
from gradio_client import Client

from app import BUILTIN_ADAPTER, Settings, build_app, builtin_specialist
from storage.registry import Registry
from tests.support import free_port

pytestmark = [pytest.mark.app, pytest.mark.real_model]

# One clear learner error each; the adapter must fix exactly that (greedy decoding in fp32
# is deterministic, so these are stable).
FIXES = [
    ("Their is a problem with the data.", "There is a problem with the data."),
    ("She have two brothers and one sister.", "She has two brothers and one sister."),
    ("Many people likes to travel in the summer.", "Many people like to travel in the summer."),
    (
        "We discussed about the results of the experiment.",
        "We discussed the results of the experiment.",
    ),
    ("He go to school every day.", "He goes to school every day."),
    ("The informations are useful for us.", "The information is useful for us."),
    ("My brother don't like coffee.", "My brother doesn't like coffee."),
    # Kinds of error that only step 3's data (more-errors) taught it.
    (
        "Yesterday I go to the market and buy some apples.",
        "Yesterday I went to the market and bought some apples.",
    ),
    ("my sister lives in london.", "My sister lives in London."),
    ("I recieved your letter yesterday.", "I received your letter yesterday."),
    ("This book is more better than that one.", "This book is better than that one."),
]
# Wordy phrases the clarity specialist cuts when clarity alone is asked for (step 4 leaves
# each of them as written).
CUTS = [
    (
        "It is important to note that the survey was answered by volunteers only.",
        "The survey was answered by volunteers only.",
    ),
    (
        "Despite the fact that the road was closed, the bus arrived on time.",
        "Although the road was closed, the bus arrived on time.",
    ),
    (
        "A large number of users reported problems with the login page.",
        "Many users reported problems with the login page.",
    ),
]
# Casual wording the style specialist makes formal when style alone is asked for (step 4
# leaves each of them as written).
FORMAL = [
    (
        "It's clear that the second survey reached fewer people.",
        "It is clear that the second survey reached fewer people.",
    ),
    (
        "A lot of students said that the course was too short.",
        "Many students said that the course was too short.",
    ),
    (
        "The updated model is way faster than the old one.",
        "The updated model is much faster than the old one.",
    ),
    (
        "Honestly, the results surprised everyone on the team.",
        "The results surprised everyone on the team.",
    ),
]
# A learner error and a padding phrase or a casual turn, asked for fluency and clarity or
# style: the fluency specialist leads (everyday prose) and fixes the error, the specialist
# that follows it the rest; an edit the follower made first is labelled with its intention,
# and one where both passes changed the same words ("is a lot of" -> "are a lot of" -> "are
# many") with the last pass's.
COMBINED = [
    (
        "In order to pass the exam, he need to study every day.",
        "To pass the exam, he needs to study every day.",
        ["clarity", "fluency"],
        [("In order to", "To", "clarity"), ("need", "needs", "fluency")],
    ),
    (
        "There is a lot of reasons to doubt the survey.",
        "There are many reasons to doubt the survey.",
        ["fluency", "style"],
        [("is a lot of", "are many", "style")],
    ),
]
# Errors of everyday usage the fluency specialist mends when fluency alone is asked for
# (step 4 leaves each of them as written).
EVERYDAY = [
    (
        "My neighbour works in the garage since 2019.",
        "My neighbour has worked in the garage since 2019.",
    ),
    ("Can you explain me this exercise?", "Can you explain this exercise to me?"),
    ("We are agree with the new timetable.", "We agree with the new timetable."),
]
# Fixes the model makes by half, or not at all, made whole after it: an uncountable noun, an
# adverb the fix dropped, a tense out of step with the story, "me" as a subject, "alot",
# "i", a present perfect beside a finished time, "will" in a condition
# (itune_core/mechanics.py, modifiers.py, harmony.py).
HALF_FIXES = [
    ("He gave me an advice about my job.", "He gave me some advice about my job."),
    (
        "Many student think that the exam was very dificult.",
        "Many students think that the exam was very difficult.",
    ),
    (
        "Yesterday he go to the doctor because he feel sick.",
        "Yesterday he went to the doctor because he felt sick.",
    ),
    (
        "My friends and me often plays football after school.",
        "My friends and I often play football after school.",
    ),
    (
        "I live in this city since five years and i like alot.",
        "I have lived in this city for five years and I like a lot.",
    ),
    (
        "I have seen this film at the cinema last month.",
        "I saw this film at the cinema last month.",
    ),
    (
        "If it will rain tomorrow, we will stay at home.",
        "If it rains tomorrow, we will stay at home.",
    ),
    (
        "We know each other since we were children.",
        "We have known each other since we were children.",
    ),
    ("We don't go nowhere at the weekend.", "We don't go anywhere at the weekend."),
    ("He described me his new job.", "He described his new job to me."),
    ("My brother speaks French very good.", "My brother speaks French very well."),
    (
        "The room is not enough big for three people.",
        "The room is not big enough for three people.",
    ),
    ("I need to do a decision about my job.", "I need to make a decision about my job."),
    ("He suggested me to buy a new laptop.", "He suggested that I buy a new laptop."),
    ("It is the first time I am in London.", "It is the first time I have been in London."),
    ("I have been in Paris last year.", "I was in Paris last year."),
    (
        "We always visit my grandparents in Christmas.",
        "We always visit my grandparents at Christmas.",
    ),
    (
        "He has a smartphone and use it all the time.",
        "He has a smartphone and uses it all the time.",
    ),
    ("I came to London for study English.", "I came to London to study English."),
    ("Can you tell me where is the station?", "Can you tell me where the station is?"),
    ("We travelled to Spain by car last summer.", "We travelled to Spain by car last summer."),
]
FORMAL_PROSE = (
    "Delegates of the United Nations Framework Convention on Climate Change met in Bonn on "
    "Friday, where the European Union, Canada and Japan discussed whether a target for "
    "industrialised nations can be agreed before the talks end."
)
CLARITY = BUILTIN_ADAPTER.parent / "itune-default-clarity"
STYLE = BUILTIN_ADAPTER.parent / "itune-default-style"
FLUENCY = BUILTIN_ADAPTER.parent / "itune-default-fluency"
DRAFT = (
    "Their is many reason why peoples likes to travel. It broaden the mind and you meets new "
    "friend. However, travel can also be expensive, and its not always easy to plan."
)


def test_the_built_in_adapter_is_shipped_whole():
    for name in ("adapter_config.json", "adapter_model.safetensors", "lineage.json"):
        assert (BUILTIN_ADAPTER / name).is_file(), name
    assert (BUILTIN_ADAPTER / "predictor" / "predictor.json").is_file()
    lineage = json.loads((BUILTIN_ADAPTER / "lineage.json").read_text())
    assert lineage["method"] == "intention-tuning"
    assert lineage["data"]["name"] == (
        "iterater-sent+learner-errors+essay-errors+apostrophes+agreement+more-errors+mixed-errors"
    )
    # step 4 is the mean of step 3 and five seeds trained on from it
    assert lineage["parent"]["name"] == "itune-default"
    assert [run["seed"] for run in lineage["average"]["runs"]] == [0, 0, 1, 2, 3, 4]
    assert lineage["average"]["weights"] == pytest.approx([1 / 6] * 6)
    step3 = json.loads((BUILTIN_ADAPTER / "step3" / "lineage.json").read_text())
    assert step3["data"]["name"] == (
        "iterater-sent+learner-errors+essay-errors+apostrophes+agreement+more-errors"
    )
    assert step3["parent"]["name"] == "itune-default"  # step 3 went on from step 2
    step2 = json.loads((BUILTIN_ADAPTER / "step2" / "lineage.json").read_text())
    assert step2["data"]["name"] == (
        "iterater-sent+learner-errors+essay-errors+apostrophes+agreement"
    )
    assert step2["parent"]["name"] == "itune-default"  # step 2 went on from step 1
    step1 = json.loads((BUILTIN_ADAPTER / "step1" / "lineage.json").read_text())
    assert step1["data"]["name"] == "iterater-sent+learner-errors+essay-errors+apostrophes"
    assert step1["s_gen"] == step2["s_gen"] == step3["s_gen"] == lineage["s_gen"]
    size = sum(p.stat().st_size for p in BUILTIN_ADAPTER.rglob("*") if p.is_file())
    # an averaged adapter has the rank of its six runs together (48): about 16 MB of it
    assert size < 30 * 2**20, f"the built-in adapter takes {size / 2**20:.1f} MiB"


def test_the_specialists_are_shipped_and_serve_their_intention_alone():
    assert builtin_specialist(["clarity"]) == CLARITY
    assert builtin_specialist(["style"]) == STYLE
    assert builtin_specialist(["fluency"]) == FLUENCY
    assert builtin_specialist(["clarity", "fluency"]) is builtin_specialist(["style", "clarity"])
    assert builtin_specialist(["clarity", "fluency"]) is None
    assert builtin_specialist([]) is None
    # the fluency specialist serves everyday prose only
    assert builtin_specialist(["fluency"], EVERYDAY[1][0]) == FLUENCY
    assert builtin_specialist(["fluency"], FORMAL_PROSE) is None
    assert builtin_specialist(["clarity"], FORMAL_PROSE) == CLARITY
    # several intentions among which fluency, about everyday prose: the fluency specialist
    # leads (the clarity and style specialists follow it)
    assert builtin_specialist(["clarity", "fluency"], EVERYDAY[1][0]) == FLUENCY
    assert builtin_specialist(["fluency", "style", "coherence"], EVERYDAY[1][0]) == FLUENCY
    assert builtin_specialist(["clarity", "fluency"], FORMAL_PROSE) is None
    assert builtin_specialist(["clarity", "style"], EVERYDAY[1][0]) is None
    for folder, pairs, seeds in (
        (CLARITY, "+wordiness+wordiness", 3),
        (STYLE, "+informal+informal", 3),
        (FLUENCY, "+usage-errors+everyday", 6),
    ):
        lineage = json.loads((folder / "lineage.json").read_text())
        assert lineage["data"]["name"].endswith(f"+mixed-errors{pairs}")
        # step 4 and the seeds trained on from it, step 4 at 3 to each seed's 5
        assert lineage["parent"]["name"] == "itune-default"
        total = 3 + 5 * seeds
        assert lineage["average"]["weights"] == pytest.approx([3 / total] + [5 / total] * seeds)
        step4 = json.loads((BUILTIN_ADAPTER / "lineage.json").read_text())
        assert lineage["s_gen"] == step4["s_gen"]
        assert (folder / "predictor" / "predictor.json").is_file()


@pytest.fixture(scope="module")
def running(itune_home, tmp_path_factory):
    db = tmp_path_factory.mktemp("db-builtin") / "app.db"
    env = {"ITUNE_HOME": str(itune_home), "ITUNE_DB_URL": f"sqlite:///{db}"}
    settings = Settings.from_env({**env, "ITUNE_DTYPE": "float32"})  # no ITUNE_ADAPTER
    assert settings.adapter == BUILTIN_ADAPTER
    blocks, studio, slot = build_app(settings)
    port = free_port()
    blocks.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    slot.get(timeout=180)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
    yield client, db, studio
    client.close()
    blocks.close()


def test_it_serves_with_no_setting_and_is_listed_as_built_in(running):
    client, _, studio = running
    assert client.predict(api_name="/serving") == "itune-default"
    assert studio.serving_routes() == [
        (("clarity",), "itune-default-clarity", None),
        (("fluency",), "itune-default-fluency", "everyday prose"),
        (("style",), "itune-default-style", None),
    ]
    assert studio.serving_leads() == [("fluency", "itune-default-fluency")]
    listed = sorted(Registry(studio.store.engine).list_adapters(), key=lambda a: a.name)
    assert [(a.name, a.method, a.lineage.get("builtin"), a.path) for a in listed] == [
        ("itune-default", "intention-tuning", True, str(BUILTIN_ADAPTER)),
        ("itune-default-clarity", "intention-tuning", True, str(CLARITY)),
        ("itune-default-fluency", "intention-tuning", True, str(FLUENCY)),
        ("itune-default-style", "intention-tuning", True, str(STYLE)),
    ]


@pytest.mark.parametrize(("draft", "cut"), CUTS)
def test_a_request_for_clarity_alone_is_revised_by_the_clarity_specialist(running, draft, cut):
    client, db, _ = running
    view = client.predict(draft, ["clarity"], api_name="/revise")[0]
    assert (view["adapter"], view["revised"]) == ("itune-default-clarity", cut)
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT adapter_name FROM revisions WHERE id=?", (view["revision_id"],)
        ).fetchall()
    assert stored == [("itune-default-clarity",)]
    # asked for clarity and fluency together about everyday prose, the fluency specialist
    # revises, then the clarity specialist revises its answer for clarity alone
    both = client.predict(draft, ["clarity", "fluency"], api_name="/revise")[0]
    assert (both["adapter"], both["revised"]) == ("itune-default-fluency", cut)
    assert {e["intention"] for e in both["edits"] if not e["held"]} == {"clarity"}


@pytest.mark.parametrize(("draft", "formal"), FORMAL)
def test_a_request_for_style_alone_is_revised_by_the_style_specialist(running, draft, formal):
    client, db, _ = running
    view = client.predict(draft, ["style"], api_name="/revise")[0]
    assert (view["adapter"], view["revised"]) == ("itune-default-style", formal)
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT adapter_name FROM revisions WHERE id=?", (view["revision_id"],)
        ).fetchall()
    assert stored == [("itune-default-style",)]
    # asked for style and fluency together about everyday prose, the fluency specialist
    # revises, then the style specialist revises its answer for style alone
    both = client.predict(draft, ["fluency", "style"], api_name="/revise")[0]
    assert (both["adapter"], both["revised"]) == ("itune-default-fluency", formal)
    assert {e["intention"] for e in both["edits"]} == {"style"}


@pytest.mark.parametrize(("draft", "fixed", "intentions", "kinds"), COMBINED)
def test_several_intentions_get_the_fluency_specialist_s_fixes_and_the_specialists_after_it(
    running, draft, fixed, intentions, kinds
):
    client, _, studio = running
    view = client.predict(draft, intentions, api_name="/revise")[0]
    assert (view["adapter"], view["revised"]) == ("itune-default-fluency", fixed)
    edits = {(e["before"], e["after"], e["intention"]) for e in view["edits"]}
    assert edits == set(kinds)
    assert studio.serving_follow_ups() == [
        ("clarity", "itune-default-clarity"),
        ("style", "itune-default-style"),
    ]


@pytest.mark.parametrize(("draft", "fixed"), FIXES)
def test_it_fixes_one_learner_error_and_changes_nothing_else(running, draft, fixed):
    client, db, _ = running
    view = client.predict(draft, ["fluency"], api_name="/revise")[0]
    assert view["adapter"] == "itune-default-fluency"
    assert view["revised"] == fixed
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT adapter_name, revised_text FROM revisions WHERE id=?", (view["revision_id"],)
        ).fetchall()
    assert stored == [("itune-default-fluency", fixed)]


@pytest.mark.parametrize(("draft", "fixed"), EVERYDAY)
def test_a_request_for_fluency_alone_mends_everyday_usage(running, draft, fixed):
    client, _, _ = running
    view = client.predict(draft, ["fluency"], api_name="/revise")[0]
    assert (view["adapter"], view["revised"]) == ("itune-default-fluency", fixed)
    # asked with another intention, the fluency specialist leads on everyday prose too
    both = client.predict(draft, ["coherence", "fluency"], api_name="/revise")[0]
    assert (both["adapter"], both["revised"]) == ("itune-default-fluency", fixed)


@pytest.mark.parametrize(("draft", "fixed"), HALF_FIXES)
def test_fixes_the_model_makes_by_half_reach_the_page_whole(running, draft, fixed):
    client, _, _ = running
    view = client.predict(draft, ["fluency"], api_name="/revise")[0]
    assert (view["adapter"], view["revised"]) == ("itune-default-fluency", fixed)


def test_a_formal_text_asking_for_fluency_gets_step_4(running):
    # long sentences full of names read as the news, not as everyday prose
    # (itune_core/register.py): the fluency specialist serves only the latter, alone or
    # asked with other intentions
    client, db, _ = running
    both = client.predict(FORMAL_PROSE, ["coherence", "fluency"], api_name="/revise")[0]
    assert both["adapter"] == "itune-default"
    view = client.predict(FORMAL_PROSE, ["fluency"], api_name="/revise")[0]
    assert view["adapter"] == "itune-default"
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT adapter_name FROM revisions WHERE id=?", (view["revision_id"],)
        ).fetchall()
    assert stored == [("itune-default",)]


def test_the_learner_draft_comes_back_fixed_with_its_connectors_kept(running):
    client, _, _ = running
    view = client.predict(DRAFT, ["fluency"], api_name="/revise")[0]
    assert view["revised"] == (
        "There are many reasons why people like to travel. It broadens the mind and you meet "
        "a new friend. However, travel can also be expensive, and it's not always easy to plan."
    )
    # Both connectors kept by the model itself: the connector guard has nothing to hold.
    assert view["held_edits"] == []


def test_asked_for_clarity_the_learner_draft_keeps_both_joined_parts(running):
    # the clarity specialist cuts "It broaden(s) the mind and" as it cuts padding; the clause
    # guard keeps both parts. Asked for clarity alone the cut is offered as a suggestion;
    # asked with fluency it would cut into step 4's fixes, so it cannot be placed in the
    # draft as written and is not offered.
    client, db, _ = running
    view = client.predict(DRAFT, ["clarity"], api_name="/revise")[0]
    assert "It broaden the mind and you meets new friend." in view["final_text"]
    (cut,) = [e for e in view["edits"] if e["held"]]
    assert cut["after"].startswith("You") and "joined parts" in cut["held"]
    with sqlite3.connect(db) as conn:
        held_by = conn.execute(
            "SELECT held_by FROM edits WHERE revision_id = ? AND held_by IS NOT NULL",
            (view["revision_id"],),
        ).fetchall()
    assert held_by == [("clause",)]
    view = client.predict(DRAFT, ["clarity", "fluency"], api_name="/revise")[0]
    assert "It broadens the mind and you meet a new friend." in view["final_text"]
    assert not [e for e in view["edits"] if "mind" in e["before"]]


def test_edits_for_several_intentions_are_labelled_by_the_adapter_s_own_likelihood(running):
    # the built-in adapter's folder has labelling.json: each edit takes the asked intention
    # under whose prompt the adapter finds it likeliest (itune_core/gain_labels.py)
    # (coherence, not clarity, beside fluency: the clarity specialist would follow step 4)
    client, _, _ = running
    view = client.predict(DRAFT, ["coherence", "fluency"], api_name="/revise")[0]
    assert view["edits"]
    # every edit of the learner draft is a grammar fix: fluency, not coherence
    assert ("peoples likes", "people like") in {(e["before"], e["after"]) for e in view["edits"]}
    assert {e["intention"] for e in view["edits"]} == {"fluency"}
    assert all(0.5 <= e["confidence"] <= 1.0 for e in view["edits"])
    suggested = client.predict(DRAFT, api_name="/suggest")
    assert suggested[0]["intention"] == "fluency"


@pytest.mark.parametrize(
    ("draft", "fixed"),
    [
        (
            "Yesterday was a terrible day. I miss the bus and arrive late to work.",
            "Yesterday was a terrible day. I missed the bus and arrived late to work.",
        ),
        (
            "Last year I learned to drive. Today I drive to work every day.",
            "Last year I learned to drive. Today I drive to work every day.",
        ),
    ],
)
def test_a_story_keeps_its_time_from_one_sentence_to_the_next(running, draft, fixed):
    # revised alone, "I miss the bus" names no time; the sentence before it does (tense
    # context), and a sentence that names the present keeps it
    client, _, _ = running
    assert client.predict(draft, ["fluency"], api_name="/revise")[0]["revised"] == fixed


@pytest.mark.parametrize(
    ("draft", "fixed"),
    [
        ("I think its important to sleep well.", "I think it's important to sleep well."),
        ("The company changed its name last year.", "The company changed its name last year."),
    ],
)
def test_its_is_fixed_only_where_it_stands_for_it_is(running, draft, fixed):
    client, _, _ = running
    assert client.predict(draft, ["fluency"], api_name="/revise")[0]["revised"] == fixed


@pytest.mark.parametrize(
    ("draft", "fixed", "held"),
    [
        # the model respells the British word; the variety guard gives it back
        (
            "We must prioritise the patients who is most ill.",
            "We must prioritise the patients who are most ill.",
            ("prioritise", "prioritize"),
        ),
        # the model "fixes" the name of a function and a command; the literal guard keeps
        # them as written, and the grammar fix beside them
        (
            "Call get_usr_data() before you calls save_reslts().",
            "Call get_usr_data() before you call save_reslts().",
            ("save_reslts()", "save_results()"),
        ),
        (
            "Run `pip instal requests` before you starts the program.",
            "Run `pip instal requests` before you start the program.",
            ("`pip instal requests`", "`pip install requests`"),
        ),
    ],
)
def test_code_and_the_writer_s_spelling_reach_the_page_as_written(running, draft, fixed, held):
    client, _, _ = running
    view = client.predict(draft, ["fluency"], api_name="/revise")[0]
    assert view["revised"] == fixed
    assert [(h["before"], h["after"]) for h in view["held_edits"]] == [held]


def test_a_held_back_edit_is_offered_as_a_suggestion_the_writer_can_take(running):
    # "prioritize" is held back (both spellings are right), and shown beside the grammar
    # fix as a suggestion: out of the final text until the writer accepts it
    client, db, _ = running
    # (a second sentence, so the suggestion is placed in the text, not only in its own)
    draft = "The ward is full. We must prioritise the patients who is most ill."
    view = client.predict(draft, ["fluency"], api_name="/revise")[0]
    assert (
        view["final_text"] == "The ward is full. We must prioritise the patients who are most ill."
    )
    (suggestion,) = [e for e in view["edits"] if e["held"]]
    assert (suggestion["before"], suggestion["after"]) == ("prioritise", "prioritize")
    assert suggestion["status"] == "suggested" and "other variety" in suggestion["held"]
    everything = client.predict(view["revision_id"], "accept", api_name="/decide_all")
    assert everything["final_text"] == view["final_text"]
    taken = client.predict(
        view["revision_id"], suggestion["position"], "accept", api_name="/decide"
    )
    assert (
        taken["final_text"] == "The ward is full. We must prioritize the patients who are most ill."
    )
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT held_reason IS NOT NULL, after, held_by FROM edits WHERE revision_id = ?"
            " ORDER BY position",
            (view["revision_id"],),
        ).fetchall()
    assert stored[-1] == (1, "prioritize", "variety") and sum(h for h, _, _ in stored) == 1


def test_an_edit_that_would_tell_of_someone_else_is_held_back(running):
    # step 4 mends "said me" as "He said I was tired": now the writer was tired; the
    # person guard holds the swap back (the fluency specialist, which serves this request,
    # writes "He told me that he was tired")
    client, _, _ = running
    draft = "He said me that he was tired."
    view = client.predict(draft, ["fluency"], api_name="/revise")[0]
    assert (view["adapter"], view["final_text"]) == (
        "itune-default-fluency",
        "He told me that he was tired.",
    )
    view = client.predict(draft, ["fluency"], "itune-default", api_name="/revise_with")
    # the swap is held back, and the mechanical fixes mend "said me" as "told me"
    # (itune_core/collocations.py): the writer keeps who was tired and gets the verb; the
    # held swap touches that edit, so it is not offered as a suggestion either
    assert (view["adapter"], view["final_text"]) == (
        "itune-default",
        "He told me that he was tired.",
    )
    assert [(e["before"], e["after"], e["held"]) for e in view["edits"]] == [("said", "told", None)]


def test_an_admin_can_switch_to_the_base_model_and_back(running):
    client, db, studio = running
    registry = Registry(studio.store.engine)
    try:
        registry.activate(None, by_user="test")
        assert client.predict(api_name="/serving") is None
        view = client.predict(FIXES[0][0], ["fluency"], api_name="/revise")[0]
        assert view["adapter"] is None
        # an admin's choice for every request overrides the built-in clarity route too
        view = client.predict(CUTS[0][0], ["clarity"], api_name="/revise")[0]
        assert view["adapter"] is None
        view = client.predict(FORMAL[0][0], ["style"], api_name="/revise")[0]
        assert view["adapter"] is None
        assert studio.serving_routes() == []  # the base model serves clarity and style too
        assert studio.serving_follow_ups() == []  # and no specialist follows it
        assert studio.serving_leads() == []  # nor leads in its place
        view = client.predict(COMBINED[0][0], ["clarity", "fluency"], api_name="/revise")[0]
        assert view["adapter"] is None
        registry.activate(registry.get_adapter_by_name("itune-default").id, by_user="test")
        assert client.predict(api_name="/serving") == "itune-default"
    finally:
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM activations")
    assert client.predict(api_name="/serving") == "itune-default"


def test_an_admin_s_choice_for_a_set_ends_the_follow_ups_there(running):
    client, db, studio = running
    registry = Registry(studio.store.engine)
    draft, fixed, intentions, _ = COMBINED[0]
    try:
        # the base model for clarity alone: the clarity specialist no longer follows
        registry.activate(None, by_user="test", intentions=["clarity"])
        assert studio.serving_follow_ups() == [("style", "itune-default-style")]
        view = client.predict(draft, intentions, api_name="/revise")[0]
        assert view["adapter"] == "itune-default-fluency"
        # the fluency specialist's answer alone
        assert view["revised"] == draft.replace("he need", "he needs")
        # itune-default chosen for fluency and style together: nothing follows there
        style_draft, _, style_intentions, _ = COMBINED[1]
        builtin = registry.get_adapter_by_name("itune-default").id
        registry.activate(builtin, by_user="test", intentions=style_intentions)
        view = client.predict(style_draft, style_intentions, api_name="/revise")[0]
        assert view["revised"] == "There are a lot of reasons to doubt the survey."
        # the base model for fluency alone: the fluency specialist no longer leads either
        registry.activate(None, by_user="test", intentions=["fluency"])
        assert studio.serving_leads() == []
        view = client.predict(draft, intentions, api_name="/revise")[0]
        assert view["adapter"] == "itune-default"
    finally:
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM activations")
    assert studio.serving_follow_ups() == [
        ("clarity", "itune-default-clarity"),
        ("style", "itune-default-style"),
    ]
    assert studio.serving_leads() == [("fluency", "itune-default-fluency")]
    assert client.predict(draft, intentions, api_name="/revise")[0]["revised"] == fixed
