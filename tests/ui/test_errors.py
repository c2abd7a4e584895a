"""The one error translation: errors raised on purpose reach the user with their message,
faults do not, and no other UI module translates on its own."""

from pathlib import Path

import gradio as gr
import pytest

from services.errors import PermissionDenied
from storage.errors import RecordNotFound
from ui.errors import call, shown_to_user

UI = Path(__file__).resolve().parents[2] / "ui"


def _raise(err: Exception):
    raise err


@pytest.mark.parametrize(
    "err",
    [RecordNotFound("revision 9 does not exist"), PermissionDenied("log in"), ValueError("bad")],
)
def test_errors_raised_on_purpose_reach_the_user_with_their_message(err):
    with pytest.raises(gr.Error) as shown:
        call(_raise, err)
    assert shown.value.message == str(err) and shown.value.__cause__ is err


def test_a_fault_is_not_turned_into_a_message():
    with pytest.raises(RuntimeError, match="CUDA"):
        call(_raise, RuntimeError("CUDA out of memory at /srv/models"))


def test_a_streams_error_ends_the_stream_as_a_message():
    def stream():
        with shown_to_user():
            yield 1
            raise RecordNotFound("gone")

    items = stream()
    assert next(items) == 1
    with pytest.raises(gr.Error, match="gone"):
        next(items)


def test_results_pass_through():
    assert call(lambda a, b=0: a + b, 2, b=3) == 5


def test_no_other_ui_module_translates_errors_itself():
    offenders = [
        path.name
        for path in sorted(UI.glob("*.py"))
        if path.name != "errors.py" and "gr.Error(str(" in path.read_text(encoding="utf-8")
    ]
    assert not offenders
