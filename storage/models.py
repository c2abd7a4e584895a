"""SQLAlchemy models of the revision history: revisions, their edits, and decisions on edits.

Portable to SQLite and PostgreSQL (JSON, timezone-aware timestamps, named constraints).
The schema itself is created by the Alembic migrations in ``storage/migrations``; any
change here needs a new migration (``tests/storage`` checks the two agree).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.records import DECISIONS, REASONS

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
