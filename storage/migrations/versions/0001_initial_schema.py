"""Initial schema: revisions, their edits, and decisions on edits.

Revision ID: 0001
Revises:
Create Date: 2025-11-28

Written by hand to match storage/models.py at this point; the values in the check
constraints are copied here rather than imported, so this migration never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=True),
        sa.Column("user_name", sa.String(length=255), nullable=True),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("intentions", sa.JSON(), nullable=False),
        sa.Column("model_name", sa.String(length=255), nullable=False),
        sa.Column("adapter_name", sa.String(length=255), nullable=True),
        sa.Column("revised_text", sa.Text(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("generated_tokens", sa.Integer(), nullable=True),
        sa.Column("final_text", sa.Text(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_revisions_rating")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["revisions.id"], name=op.f("fk_revisions_parent_id_revisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
    )
    op.create_index(op.f("ix_revisions_session_id"), "revisions", ["session_id"])
    op.create_index(op.f("ix_revisions_user_name"), "revisions", ["user_name"])

    op.create_table(
        "edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=1), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("start_char_pos", sa.Integer(), nullable=False),
        sa.Column("end_char_pos", sa.Integer(), nullable=False),
        sa.Column("intention", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.CheckConstraint("position >= 0", name=op.f("ck_edits_position")),
        sa.CheckConstraint("type IN ('A', 'D', 'R')", name=op.f("ck_edits_type")),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revisions.id"], name=op.f("fk_edits_revision_id_revisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edits")),
        sa.UniqueConstraint("revision_id", "position", name=op.f("uq_edits_revision_id_position")),
    )
    op.create_index(op.f("ix_edits_revision_id"), "edits", ["revision_id"])

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edit_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("decision IN ('accept', 'reject')", name=op.f("ck_decisions_decision")),
        sa.CheckConstraint(
            "reason IS NULL OR (decision = 'reject' AND reason IN ('meaning-changed', "
            "'wrong-intention', 'ungrammatical', 'unnecessary', 'other'))",
            name=op.f("ck_decisions_reason"),
        ),
        sa.ForeignKeyConstraint(["edit_id"], ["edits.id"], name=op.f("fk_decisions_edit_id_edits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index(op.f("ix_decisions_edit_id"), "decisions", ["edit_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_decisions_edit_id"), table_name="decisions")
    op.drop_table("decisions")
    op.drop_index(op.f("ix_edits_revision_id"), table_name="edits")
    op.drop_table("edits")
    op.drop_index(op.f("ix_revisions_user_name"), table_name="revisions")
    op.drop_index(op.f("ix_revisions_session_id"), table_name="revisions")
    op.drop_table("revisions")
