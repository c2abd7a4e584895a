"""Storage of the revision history: SQLAlchemy models, Alembic migrations and the ``Store``.

    from storage import Store
    store = Store.open("sqlite:///data-local/itune.db")

The other stores share its engine: ``storage.users.UserStore`` (accounts; imported from
its module, which is also the ``python -m storage.users`` command), ``RunStore`` (the training
queue), ``Registry`` (adapters and which is active), ``EvaluationStore`` and
``FeedbackStore`` (acceptance counts, accepted edits), e.g. ``Registry(store.engine)``.

Knows nothing of Gradio or torch; returns core dataclasses and the records in
``storage.records``, never ORM rows.
"""

from storage.evaluations import EvaluationStore
from storage.feedback import FeedbackStore
from storage.records import Decision, RevisionSummary, StoredRevision
from storage.registry import Registry
from storage.runs import RunStore
from storage.store import Store, open_engine

__all__ = [
    "Decision",
    "EvaluationStore",
    "FeedbackStore",
    "Registry",
    "RevisionSummary",
    "RunStore",
    "Store",
    "StoredRevision",
    "open_engine",
]
