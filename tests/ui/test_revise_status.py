"""The Revise tab's status line tells the writer what the guards held back and why, with
the text shown as code (nothing in it is interpreted as Markdown)."""

from ui.revise_tab import _review_outputs


def _view(**extra):
    return {
        "source": "It cost 5 dollars.",
        "edits": [],
        "adapter": "itune-default",
        "model": "smollm2",
        "latency_ms": 1200,
        "final_text": "It cost 5 dollars.",
        **extra,
    }


def test_held_back_edits_are_listed_with_their_reasons():
    held = [{"before": "5", "after": "**50**", "reason": "changes the fact '5'"}]
    _, _, status, _, _ = _review_outputs(_view(held_edits=held))
    assert "1 edit(s) held back, each with its reason: `5` → `**50**` (`changes the fact" in status
    assert "changes only under *meaning-changed*" in status
    assert "more than *fluency*" in status
    assert "one of two parts joined by *and*" in status


def test_many_held_edits_are_summarised_and_none_says_nothing():
    held = [{"before": str(k), "after": str(k + 1), "reason": "changes"} for k in range(8)]
    _, _, status, _, _ = _review_outputs(_view(held_edits=held))
    assert "8 edit(s) held back" in status and "and 3 more" in status
    _, _, status, _, _ = _review_outputs(_view(held_edits=[]))
    assert "held back" not in status


def test_edits_left_out_as_unsure_are_listed_without_their_margins():
    unsure = [{"before": "go", "after": "goes", "reason": "the model was unsure (margin 0.1)"}]
    _, _, status, _, _ = _review_outputs(_view(unsure_edits=unsure))
    assert "1 edit(s) left out because the model was unsure of them: `go` → `goes`." in status
    assert "margin" not in status
    _, _, status, _, _ = _review_outputs(_view(unsure_edits=[]))
    assert "unsure" not in status


def _edit(position, before, after, start, status, held=None):
    return {
        "position": position,
        "type": "R",
        "before": before,
        "after": after,
        "start_char_pos": start,
        "end_char_pos": start + len(before),
        "intention": "fluency",
        "confidence": None,
        "status": status,
        "reason": None,
        "held": held,
    }


def test_suggestions_are_counted_apart_and_shown_in_place_beside_the_edits():
    # the suggestion (position 1) lies before the offered edit (position 0) in the text
    edits = [
        _edit(0, "dollars", "dollar", 10, "pending"),
        _edit(1, "5", "50", 8, "suggested", held="changes the fact '5'"),
    ]
    _, html, status, _, _ = _review_outputs(_view(edits=edits))
    assert status.startswith("**1 edits** · 0 accepted · 0 rejected · 1 pending")
    assert "1 suggestion(s) held back, not in the final text unless you accept them (0 taken)" in (
        status
    )
    # a suggestion taken counts as taken, not among the edits offered
    edits[1]["status"] = "accepted"
    _, _, status, _, _ = _review_outputs(_view(edits=edits, parent_id=3))
    assert status.startswith("**1 edits** · 0 accepted · 0 rejected · 1 pending")
    assert "round after revision 3\n\n1 suggestion(s) held back" in status
    assert "(1 taken)" in status
    assert html.index('class="itune-edit suggested"') < html.index('class="itune-edit pending"')
    assert "It cost " in html and html.endswith(".</div>")


def test_the_review_row_of_a_suggestion_says_why_it_was_held_back():
    from ui.revise_tab import _edit_row

    row = _edit_row(_edit(1, "5", "50", 8, "suggested", held="changes the fact <5>"))
    assert "held back: changes the fact &lt;5&gt;. Accept to put it in the final text." in row
    assert "held back" not in _edit_row(_edit(0, "dollars", "dollar", 10, "pending"))
    taken = _edit_row(_edit(1, "5", "50", 8, "accepted", held="changes the fact"))
    assert "held back: changes the fact.</small>" in taken


def test_edits_left_out_for_what_they_left_say_so():
    from itune_core.confidence import REST_LESS_LIKELY

    unsure = [
        {"before": "These", "after": "This", "reason": REST_LESS_LIKELY},
        {"before": "suggest", "after": "suggests", "reason": "the model was unsure (margin 0.3)"},
    ]
    _, _, status, _, _ = _review_outputs(_view(unsure_edits=unsure))
    assert "2 edit(s) left out because the model was unsure of them or of the sentence" in status
