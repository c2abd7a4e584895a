"""SQLAlchemy models: revisions, their edits and decisions on edits (0001); users, training
runs with their steps and logs, adapters, activations and evaluations (0002); the scope of
an activation (0003); an adapter's parent (0004); why an edit was held back (0005), and by
what (0006).

Portable to SQLite and PostgreSQL (JSON, timezone-aware timestamps, named constraints).
The schema itself is created by the Alembic migrations in ``storage/migrations``; any
change here needs a new migration (``tests/storage`` checks the two agree).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.records import DECISIONS, REASONS
from storage.run_status import RunStatus

# Named constraints, so that later migrations can alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class RevisionRow(Base):
    """One revision request: the source, what the model made of it, and what became of it."""

    __tablename__ = "revisions"
    __table_args__ = (sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    session_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    user_name: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    source_text: Mapped[str] = mapped_column(sa.Text)
    intentions: Mapped[list[str]] = mapped_column(sa.JSON)
    model_name: Mapped[str] = mapped_column(sa.String(255))
    adapter_name: Mapped[str | None] = mapped_column(sa.String(255))
    revised_text: Mapped[str] = mapped_column(sa.Text)
    latency_ms: Mapped[float] = mapped_column(sa.Float)
    generated_tokens: Mapped[int | None] = mapped_column(sa.Integer)
    final_text: Mapped[str] = mapped_column(sa.Text)
    rating: Mapped[int | None] = mapped_column(sa.Integer)
    rated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("revisions.id"))

    edits: Mapped[list["EditRow"]] = relationship(
        back_populates="revision", order_by="EditRow.position"
    )


class EditRow(Base):
    """One edit action of a revision, at its 0-based ``position`` among that revision's edits."""

    __tablename__ = "edits"
    __table_args__ = (
        sa.UniqueConstraint("revision_id", "position"),
        sa.CheckConstraint("position >= 0", name="position"),
        sa.CheckConstraint(_in("type", ("A", "D", "R")), name="type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("revisions.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    type: Mapped[str] = mapped_column(sa.String(1))
    before: Mapped[str] = mapped_column(sa.Text)
    after: Mapped[str] = mapped_column(sa.Text)
    start_char_pos: Mapped[int] = mapped_column(sa.Integer)
    end_char_pos: Mapped[int] = mapped_column(sa.Integer)
    intention: Mapped[str | None] = mapped_column(sa.String(64))
    confidence: Mapped[float | None] = mapped_column(sa.Float)
    # Why the edit was held back (a guard's reason, or the model's margin): a suggestion,
    # applied only once accepted. NULL: offered, applied unless rejected.
    held_reason: Mapped[str | None] = mapped_column(sa.Text)
    # What held it back: a guard's name (``fact``, ``variety``...) or ``margin`` (0006).
    held_by: Mapped[str | None] = mapped_column(sa.String(32))

    revision: Mapped[RevisionRow] = relationship(back_populates="edits")


class DecisionRow(Base):
    """One decision on an edit. Rows are only ever added: the latest per edit is current."""

    __tablename__ = "decisions"
    __table_args__ = (
        sa.CheckConstraint(_in("decision", DECISIONS), name="decision"),
        sa.CheckConstraint(
            f"reason IS NULL OR (decision = 'reject' AND {_in('reason', REASONS)})",
            name="reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edit_id: Mapped[int] = mapped_column(sa.ForeignKey("edits.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


# --- users, training runs, adapters, evaluations (migration 0002) ---------------------------

RUN_STATUSES: tuple[str, ...] = tuple(status.value for status in RunStatus)
ACTIVATION_ACTIONS: tuple[str, ...] = ("activate", "rollback")


class UserRow(Base):
    """One account. ``password_hash`` is ``scrypt$n$r$p$salt$hash`` (see storage.users)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(512))
    is_admin: Mapped[bool] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class TrainingRunRow(Base):
    """One training job: queued by the Admin tab, claimed and run by a worker process."""

    __tablename__ = "training_runs"
    __table_args__ = (sa.CheckConstraint(_in("status", RUN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    config: Mapped[dict] = mapped_column(sa.JSON)
    progress: Mapped[float] = mapped_column(sa.Float)
    step: Mapped[int] = mapped_column(sa.Integer)
    total_steps: Mapped[int | None] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.Text)
    output_dir: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancel_requested: Mapped[bool] = mapped_column(sa.Boolean)
    worker_pid: Mapped[int | None] = mapped_column(sa.Integer)
    heartbeat_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class RunStepRow(Base):
    """One optimiser step of a run: the loss curve and the gradient-norm heatmap."""

    __tablename__ = "run_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("training_runs.id"), index=True)
    stage: Mapped[int] = mapped_column(sa.Integer)
    step: Mapped[int] = mapped_column(sa.Integer)
    loss: Mapped[float | None] = mapped_column(sa.Float)
    selected: Mapped[list[int]] = mapped_column(sa.JSON)
    norms: Mapped[dict[str, float]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class RunLogRow(Base):
    """One line of a run's log (stage starts, warnings, the error that ended it)."""

    __tablename__ = "run_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("training_runs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    line: Mapped[str] = mapped_column(sa.Text)


class AdapterRow(Base):
    """One registered adapter. Never removed: ``deleted_at`` marks a deleted one, so names
    stay unique for good and ``revisions.adapter_name`` always names one adapter."""

    __tablename__ = "adapters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255), unique=True)
    path: Mapped[str] = mapped_column(sa.Text)
    base_model: Mapped[str] = mapped_column(sa.String(255))
    method: Mapped[str] = mapped_column(sa.String(64))
    s_gen: Mapped[list[int]] = mapped_column(sa.JSON)
    lineage: Mapped[dict] = mapped_column(sa.JSON)
    metrics: Mapped[dict] = mapped_column(sa.JSON)
    data_hash: Mapped[str | None] = mapped_column(sa.String(128))
    feedback_revision_ids: Mapped[list[int]] = mapped_column(sa.JSON)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_runs.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The adapter it was trained from (``init_from``; migration 0004); None: from scratch.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("adapters.id"))


class ActivationRow(Base):
    """Append-only history of which adapter serves new requests: the replayed history
    (``activate`` pushes, ``rollback`` pops) gives the active one; None is the base model.
    Each intention set has its own history (``scope``: the set's intentions in canonical
    order, comma-joined; "" for requests whose set has none of its own)."""

    __tablename__ = "activations"
    __table_args__ = (sa.CheckConstraint(_in("action", ACTIVATION_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    adapter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("adapters.id"))
    action: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    by_user: Mapped[str | None] = mapped_column(sa.String(255))
    scope: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")


class EvaluationRow(Base):
    """One evaluation job: an adapter (or a baseline) scored on a split by a worker."""

    __tablename__ = "evaluations"
    __table_args__ = (sa.CheckConstraint(_in("status", RUN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    adapter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("adapters.id"), index=True)
    baseline: Mapped[str | None] = mapped_column(sa.String(64))
    data: Mapped[str] = mapped_column(sa.Text)
    split: Mapped[str] = mapped_column(sa.String(32))
    settings: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    report: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(sa.String(255))
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    worker_pid: Mapped[int | None] = mapped_column(sa.Integer)
