"""The Admin side reads a job's fields from ``training.config.SETTINGS``: the number kinds
it coerces form values to, the Train form's fields and the job they make."""

import gradio as gr
import pytest

from services.admin import DEFAULT_JOB, NUMBER_FIELDS, normalize_job
from training.config import SETTINGS
from training.vocabulary import Method
from training.worker import WORKER_KEYS, check_job
from ui.admin_tab import form_values
from ui.admin_views import TRAIN_FORM, job_from_form

NUMBERS = [s for s in SETTINGS.values() if s.job and s.number_kind is not None]


def test_every_job_number_field_is_coerced_to_its_fields_kind():
    assert dict(NUMBER_FIELDS) == {s.name: s.kind for s in NUMBERS}
    assert {"max_steps", "stage1_steps", "batch_size", "lr", "edit_weight"} <= set(NUMBER_FIELDS)


@pytest.mark.parametrize("s", NUMBERS, ids=lambda s: s.name)
def test_a_form_number_becomes_its_fields_type(s):
    job = normalize_job({s.name: " 3 "})
    assert job[s.name] == 3 and type(job[s.name]) is s.kind
    assert type(normalize_job({s.name: 3.0})[s.name]) is s.kind
    assert normalize_job({s.name: ""}) == {}  # empty: the default applies


def test_every_train_form_field_is_a_labelled_job_field_or_the_name():
    for name in TRAIN_FORM:
        if name != "name":
            assert SETTINGS[name].job and SETTINGS[name].label, name
    assert len(set(TRAIN_FORM)) == len(TRAIN_FORM)


def test_the_fields_the_worker_sets_are_dropped_from_a_job():
    assert WORKER_KEYS == ("output", "overwrite")
    job = check_job({"method": "lora", "data": "iterater-sent", "output": "/x", "overwrite": True})
    assert job == {"method": "lora", "data": "iterater-sent"}


def test_a_job_from_the_form_shows_again_in_the_form():
    job = {**DEFAULT_JOB, "name": "mine", "edit_weight": 3.0}
    values = form_values(job)
    assert len(values) == len(TRAIN_FORM)
    plain = [v.value if isinstance(v, gr.components.Component) else v for v in values]
    assert job_from_form(*plain) == job


def test_the_form_leaves_out_unused_empty_and_default_fields():
    shown = form_values({**DEFAULT_JOB, "method": Method.LORA.value})
    values = dict(zip(TRAIN_FORM, shown, strict=True))
    assert values["stage1_steps"].visible is False and values["edit_weight"] == 1.0
    plain = {k: v.value if isinstance(v, gr.components.Component) else v for k, v in values.items()}
    job = job_from_form(*(plain[name] for name in TRAIN_FORM))
    assert "stage1_steps" not in job and "edit_weight" not in job and "name" not in job
    assert job["method"] == "lora" and job["max_steps"] == DEFAULT_JOB["max_steps"]
    with pytest.raises(TypeError, match="fields"):
        job_from_form(*plain.values(), "one too many")
