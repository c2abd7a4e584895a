"""The misspelling guard: an edit that makes a misspelt word another word is held back
and the word's spelling offered in its place; respellings, grammar errors mended with
other words, names, and meaning-changed pass."""

from hypothesis import given, settings
from hypothesis import strategies as st

from itune_core.misspellings import REASON, guard_misspellings, misspelt
from itune_core.reviser import ReviseSettings, accept_answer


def test_a_misspelt_word_made_another_word_gets_its_spelling():
    for source, answer, offered in [
        ("I was late becouse the bus didn't come.", "I was late until the bus didn't come.",
         "I was late because the bus didn't come."),
        ("See you tommorow evening.", "See you for the next evening.", "See you tomorrow evening."),
        ("The wheather was terible.", "The weather was difficult.", "The weather was terrible."),
        ("We need to definately finish this.", "We need to finish this.",
         "We need to definitely finish this."),
    ]:  # fmt: skip
        text, held = guard_misspellings(source, answer, ["fluency"])
        assert text == offered, source
        assert len(held) == 1 and held[0].reason == REASON


def test_spellings_respellings_grammar_names_and_meaning_changed_pass():
    for source, answer in [
        ("I realy like it.", "I really like it."),  # its spelling
        ("The wheather was bad.", "The weather was bad."),  # a spelling within two letters
        ("We pretrained it.", "We pre-trained it."),  # a respelling
        ("Mr Smith teached us history.", "Mr Smith taught us history."),  # grammar
        ("They have two childs.", "They have two children."),
        ("He dont like it.", "He doesn't like it."),
        ("She lives in Porto.", "She lives in Oporto."),  # a name
        ("Porto is lovely.", "Oporto is lovely."),  # a name at the start too
        ("Becouse it rained, we stayed.", "Until it rained, we stayed."),
        ("I bought a smartphone.", "I bought a phone."),  # the speller has no spelling
        ("It was a nice day.", "It was a lovely day."),  # no misspelt word
    ]:
        assert guard_misspellings(source, answer, ["fluency"]) == (answer, ()), source
    source, answer = "I was late becouse of it.", "I was late despite it."
    assert guard_misspellings(source, answer, ["meaning-changed"]) == (answer, ())


def test_what_is_misspelt():
    assert misspelt("becouse") and misspelt("tommorow")
    for word in ["because", "colour", "organise", "teached", "childs", "dont", "iPhone", "it",
                 "COVID", "x2"]:  # fmt: skip
        assert not misspelt(word), word


def test_the_reviser_applies_it_and_it_can_be_switched_off():
    source = "I was late becouse the bus didn't come."
    answer = "I was late until the bus didn't come."
    guarded = accept_answer(answer, source, False, ["fluency"], ReviseSettings())
    assert guarded.text == "I was late because the bus didn't come."
    assert [h.by for h in guarded.held] == ["misspelling"]
    off = ReviseSettings(misspelling_guard=False)
    assert accept_answer(answer, source, False, ["fluency"], off).text == answer


_WORDS = ["i", "was", "late", "becouse", "until", "because", "the", "bus", "terible", "bad",
          "terrible", "tomorrow", "tommorow", "next"]  # fmt: skip


@settings(deadline=None)  # the first search two letters away takes most of a second
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=10),
       st.lists(st.sampled_from(_WORDS), min_size=1, max_size=10))  # fmt: skip
def test_it_only_ever_puts_the_writer_s_words_or_their_spellings_in(source_words, answer_words):
    source, answer = " ".join(source_words), " ".join(answer_words)
    text, held = guard_misspellings(source, answer, ["fluency"])
    if not held:
        assert text == answer
    allowed = set(source_words) | set(answer_words) | {"because", "terrible", "tomorrow"}
    assert set(text.split()) <= allowed, (source, answer, text)


def test_preload_reads_the_word_list_before_any_revision():
    from itune_core.misspellings import _speller, preload

    _speller.cache_clear()
    preload()
    assert _speller.cache_info().currsize == 1
    assert misspelt("becouse") and not misspelt("because")


def test_a_verb_form_the_model_misspells_gets_the_verb_s_own_form():
    source = "It broaden the mind and you meets new friend."
    answer = "It broades the mind and you meet a new friend."  # the model's, bf16
    assert guard_misspellings(source, answer, ["fluency"]) == (
        "It broadens the mind and you meet a new friend.",
        (),
    )
    assert guard_misspellings("She walk home.", "She walkes home.", ["fluency"])[0] == (
        "She walks home."
    )
    # a known word, another word, or meaning-changed: left as the model wrote it
    for source, answer, intentions in [
        ("It broaden the mind.", "It broadens the mind.", ["fluency"]),
        ("We finetuned it.", "We evaluated it.", ["fluency"]),
        ("It broaden the mind.", "It broades the mind.", ["meaning-changed"]),
    ]:
        assert guard_misspellings(source, answer, intentions) == (answer, ())


def test_an_edit_that_only_spells_a_word_right():
    from itune_core.misspellings import mends_spelling

    assert mends_spelling("bussinessman", "businessman")
    assert mends_spelling(" enviroment.", " environment.")
    for before, after in [
        ("becouse", "until"),  # another word
        ("work", "works"),  # no misspelling
        ("Silvio", "Slavo"),  # a name
        ("recieve the", "receive a"),  # more than the word
    ]:
        assert not mends_spelling(before, after), before
