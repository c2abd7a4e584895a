import pytest

from itune_core.errors import UnknownIntention
from itune_core.intentions import INTENTIONS, parse_intentions


def test_intentions_come_back_in_canonical_order_without_duplicates():
    assert parse_intentions(["style", " Clarity", "style"]) == ("clarity", "style")


def test_a_comma_separated_string_is_accepted():
    assert parse_intentions("fluency,meaning-changed") == ("fluency", "meaning-changed")


def test_unknown_intention_is_named_in_the_error():
    with pytest.raises(UnknownIntention, match="'grammar'"):
        parse_intentions(["clarity", "grammar"])


def test_no_intention_is_an_error():
    with pytest.raises(UnknownIntention, match="at least one"):
        parse_intentions([])


def test_there_are_five_intentions_without_others():
    assert len(INTENTIONS) == 5 and "others" not in INTENTIONS
