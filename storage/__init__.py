"""Storage of the revision history: SQLAlchemy models, Alembic migrations and the ``Store``.

    from storage import Store
    store = Store.open("sqlite:///data-local/itune.db")

Knows nothing of Gradio or torch; returns core dataclasses and the records in
``storage.records``, never ORM rows.
"""

from storage.records import Decision, RevisionSummary, StoredRevision
from storage.store import Store, open_engine

__all__ = ["Decision", "RevisionSummary", "Store", "StoredRevision", "open_engine"]
