"""Fixtures for the storage tests: a migrated store on a temporary SQLite file, a sample
revision recorded in it, and a snapshot of what a failed call must leave unchanged."""

from dataclasses import replace

import pytest
import sqlalchemy as sa

from itune_core.edits import compute_edits
from storage.store import Store

SOURCE = "The cat sat on teh mat . It was happy"
REVISED = "The big cat sat on the mat. It was very happy."


def sample_edits():
    """The five edits from SOURCE to REVISED, labelled with varied intentions."""
    labels = [("clarity", 0.9), ("fluency", 0.8), ("fluency", None), ("style", 0.55), (None, None)]
    edits = compute_edits(SOURCE, REVISED)
    return [
        replace(edit, intention=intention, confidence=confidence)
        for edit, (intention, confidence) in zip(edits, labels, strict=True)
    ]


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'itune.db'}"


@pytest.fixture
def store(db_url):
    store = Store.open(db_url)
    yield store
    store.close()


@pytest.fixture
def sample_args():
    """The arguments of record_revision for the sample revision (five edits)."""
    return dict(
        source=SOURCE,
        revised=REVISED,
        intentions=["clarity", "fluency"],
        edits=sample_edits(),
        model="SmolLM2-135M-Instruct",
        adapter="fluency-lora",
        latency_ms=123.5,
        generated_tokens=17,
        session_id="session-a",
        user="ada",
    )


@pytest.fixture
def record_sample(store, sample_args):
    """Record the sample revision, with any argument overridden; returns its id."""

    def record(**overrides) -> int:
        return store.record_revision(**{**sample_args, **overrides})

    return record


@pytest.fixture
def revision_id(record_sample):
    return record_sample()


@pytest.fixture
def count_rows(store):
    def count(table: str) -> int:
        with store.engine.connect() as connection:
            return connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))

    return count


@pytest.fixture
def snapshot(store):
    """Everything a failed call must leave as it was: every row of every table."""

    def take() -> dict[str, list]:
        with store.engine.connect() as connection:
            return {
                table: connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).all()
                for table in ("revisions", "edits", "decisions")
            }

    return take
