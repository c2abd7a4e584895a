"""Tenses in step with the story: asked for fluency, in a piece that tells of the past and
names no present time, a bare verb the answer put into its -s form gets the simple past;
"be", new verbs, nouns made plural, the present named, meaning-changed and other requests
are left alone."""

from itune_core.harmony import harmonise_tenses
from itune_core.reviser import ReviseSettings, accept_answer


def test_an_agreement_fix_in_a_past_story_takes_the_past():
    for source, answer, expected in [
        ("Yesterday he go to the doctor because he feel sick.",
         "Yesterday he went to the doctor because he feels sick.",
         "Yesterday he went to the doctor because he felt sick."),
        ("The childrens was playing when it start to rain.",
         "The children were playing when it starts to rain.",
         "The children were playing when it started to rain."),
        ("Last night it rain for an hour.", "Last night it rains for an hour.",
         "Last night it rained for an hour."),
    ]:  # fmt: skip
        assert harmonise_tenses(source, answer, ["fluency"]) == expected, source
        assert harmonise_tenses(source, answer, ["fluency", "clarity"]) == expected


def test_what_it_leaves_as_the_model_answered():
    for source, answer in [
        ("My sister live in Paris.", "My sister lives in Paris."),  # no past told
        ("She moved to Madrid last year and teach English there now.",
         "She moved to Madrid last year and teaches English there now."),  # the present named
        ("Yesterday the shop are closed.", "Yesterday the shop is closed."),  # "be"
        ("Yesterday he feel sick.", "Yesterday he seems sick."),  # a new verb
        ("Yesterday he went home and works.", "Yesterday he went home and works hard."),
        ("Yesterday I bought two book.", "Yesterday I bought two books."),  # a plural
        ("She told me that she will come if she have time.",
         "She told me that she will come if she has time."),  # the future named
        ("Last night the baby cry.", "Last night the baby cries."),  # "cry" could be a noun
        ("We gave labels to large set of examples.", "We gave labels to large sets of examples."),
    ]:  # fmt: skip
        assert harmonise_tenses(source, answer, ["fluency"]) == answer, source
    story = ("Yesterday he feel sick.", "Yesterday he feels sick.")
    for intentions in (["clarity"], ["fluency", "meaning-changed"], ["style"]):
        assert harmonise_tenses(*story, intentions) == story[1], intentions


def test_accept_answer_runs_it_and_can_switch_it_off():
    source, answer = (
        "Yesterday he go home because he feel sick.",
        ("Yesterday he went home because he feels sick."),
    )
    on = accept_answer(answer, source, False, ["fluency"], ReviseSettings())
    assert on.text == "Yesterday he went home because he felt sick."
    off = accept_answer(answer, source, False, ["fluency"], ReviseSettings(tense_harmony=False))
    assert off.text == answer


def test_a_present_perfect_beside_a_finished_time_becomes_the_simple_past():
    for text, expected in [
        ("I have seen this film at the cinema last month.",
         "I saw this film at the cinema last month."),
        ("We have stayed with our cousins in 2020.", "We stayed with our cousins in 2020."),
        ("I have already seen it yesterday.", "I already saw it yesterday."),
        ("They have had lunch an hour ago.", "They had lunch an hour ago."),
        ("I have been in Paris last year.", "I was in Paris last year."),
        ("She has been in Berlin last month.", "She was in Berlin last month."),
        ("We have been to Rome two years ago.", "We went to Rome two years ago."),
        ("They have already been there last week.", "They were already there last week."),
        ("I have lived in Madrid when I was a child.", "I lived in Madrid when I was a child."),
        ("She has finished her homework yesterday.", "She finished her homework yesterday."),
        ("Yesterday, we have played football.", "Yesterday, we played football."),
    ]:  # fmt: skip
        # the model left it as written: the rule makes the fix itself
        assert harmonise_tenses(text, text, ["fluency"]) == expected, text
    for text in [
        "She has lived here since 2019.",  # "since": the perfect is right
        "I haven't seen it yesterday.",  # a negative
        "Have you seen it yesterday?",  # a question
        "It has been built in 2010.",  # "been" before a participle: a passive
        "We left 50 years ago and have been dealing with it.",  # a continuous
        "It has been successfully put in place yesterday.",
        "I have been there in the past.",  # no finished time
        "I have seen it last week and I will see it again.",  # the future named
        # a past the dictionary gives only as a past tense: only near a subject pronoun
        "He has worked with them on many shows such as Bhudda, and Bakra in 1989.",
        "The FBI has alleged that he was there last week.",
    ]:
        assert harmonise_tenses(text, text, ["fluency"]) == text, text
    finished = "I have seen it last week."
    assert harmonise_tenses(finished, finished, ["clarity"]) == finished
    assert harmonise_tenses(finished, finished, ["fluency", "meaning-changed"]) == finished


def test_will_goes_from_a_clause_of_time_or_condition():
    for text, expected in [
        ("If it will rain tomorrow, we will stay at home.",
         "If it rains tomorrow, we will stay at home."),
        ("If Paul will come next month, we go.", "If Paul comes next month, we go."),
        ("I will call you as soon as I will get home.", "I will call you as soon as I get home."),
        ("If the students will pass, they get a prize.", "If the students pass, they get a prize."),
    ]:  # fmt: skip
        assert harmonise_tenses(text, text, ["fluency"]) == expected, text
    for text in [
        "I wonder if she will come to the party tomorrow.",  # a question inside: "will" stays
        "I don't know when he will arrive.",
        "If it will be sunny, we go out.",  # "will be" is left to the model
    ]:
        assert harmonise_tenses(text, text, ["fluency"]) == text, text
    condition = "If it will rain, we stay."
    assert harmonise_tenses(condition, condition, ["style"]) == condition


def test_a_story_s_next_event_takes_the_past():
    for source, expected in [
        ("We stayed there for two weeks and we visit many museums.",
         "We stayed there for two weeks and we visited many museums."),
        ("She opened the door and she see a dog.", "She opened the door and she saw a dog."),
        ("They missed the bus, so they walk to school.",
         "They missed the bus, so they walked to school."),
        ("I bought a phone and then I lose it.", "I bought a phone and then I lost it."),
        ("We went home and we eat. Then we sleep.", "We went home and we ate. Then we sleep."),
    ]:  # fmt: skip
        assert harmonise_tenses(source, source, ["fluency"]) == expected, source
        assert harmonise_tenses(source, source, ["clarity"]) == source  # fluency asked only


def test_a_story_s_states_habits_and_nouns_are_left():
    for source in [
        "I moved to London in 2015 and I love it here.",  # a state that may still hold
        "We met at university and we have two children.",
        "We went there last year, and we go again every summer.",  # a habit
        "They could glitch and provide problems.",  # no subject: a verb after a modal
        "I went there, but I don't see him.",  # "don" is no verb here
        "We came home and we can rest.",  # a modal
        "I found the book and I read it.",  # the bare form is its own past
        "I was so close to them.",  # "so" alone before a word
        "We think that it works and we use it.",  # nothing told of the past before "and"
        "We went there and we visit it now.",  # the present named
        "I play it since I was seven and I train three times a week.",  # "I play": no story
        "We bought a new car, but we use it only at weekends.",  # a habit
    ]:
        assert harmonise_tenses(source, source, ["fluency"]) == source, source


def test_a_request_a_wish_or_advice_is_no_story():
    for source, answer in [
        ("Could you tell me what time does the museum open?",
         "Could you tell me what time the museum opens?"),
        ("I would like to know if it have a pool.", "I would like to know if it has a pool."),
        ("You should visit Rome because it have many museums.",
         "You should visit Rome because it has many museums."),
    ]:  # fmt: skip
        assert harmonise_tenses(source, answer, ["fluency"]) == answer, source
    source = "I could not sleep, so I called my mother because she know."  # "called" tells it
    assert harmonise_tenses(source, source.replace("know", "knows"), ["fluency"]) == (
        "I could not sleep, so I called my mother because she knew."
    )


def test_must_in_a_story_becomes_had_to():
    for source, expected in [
        ("I broke my arm and I must stay in bed.", "I broke my arm and I had to stay in bed."),
        ("The bus didn't come, so we must walk home.",
         "The bus didn't come, so we had to walk home."),
    ]:  # fmt: skip
        assert harmonise_tenses(source, source, ["fluency"]) == expected, source
    for source in [
        "I must study hard for the exam.",  # no story
        "He said that we must wait.",  # no "and", "so" or "but" before it
        "I broke my arm and I must be careful now.",  # the present named
        "I was ill and I must not go out.",  # no bare verb after it
    ]:
        assert harmonise_tenses(source, source, ["fluency"]) == source, source
