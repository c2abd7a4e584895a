"""Users, training runs (with their steps and log lines), adapters, activations and
evaluations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Written by hand to match storage/models.py at this point; the values in the check
constraints are copied here rather than imported, so this migration never changes.
Revisions keep naming their adapter by ``revisions.adapter_name``: adapter names are
unique for good (a deleted adapter keeps its row), so no foreign key is added there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS_CHECK = "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')"


def _moment(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=512), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        _moment("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )

    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        _moment("created_at", nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("total_steps", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("output_dir", sa.Text(), nullable=True),
        _moment("started_at"),
        _moment("finished_at"),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("worker_pid", sa.Integer(), nullable=True),
        _moment("heartbeat_at"),
        sa.CheckConstraint(STATUS_CHECK, name=op.f("ck_training_runs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_runs")),
    )
    op.create_index(op.f("ix_training_runs_status"), "training_runs", ["status"])

    op.create_table(
        "run_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("loss", sa.Float(), nullable=True),
        sa.Column("selected", sa.JSON(), nullable=False),
        sa.Column("norms", sa.JSON(), nullable=False),
        _moment("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["training_runs.id"], name=op.f("fk_run_steps_run_id_training_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_steps")),
    )
    op.create_index(op.f("ix_run_steps_run_id"), "run_steps", ["run_id"])

    op.create_table(
        "run_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        _moment("created_at", nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["training_runs.id"], name=op.f("fk_run_logs_run_id_training_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_logs")),
    )
    op.create_index(op.f("ix_run_logs_run_id"), "run_logs", ["run_id"])

    op.create_table(
        "adapters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("base_model", sa.String(length=255), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("s_gen", sa.JSON(), nullable=False),
        sa.Column("lineage", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("data_hash", sa.String(length=128), nullable=True),
        sa.Column("feedback_revision_ids", sa.JSON(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        _moment("created_at", nullable=False),
        _moment("deleted_at"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["training_runs.id"], name=op.f("fk_adapters_run_id_training_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adapters")),
        sa.UniqueConstraint("name", name=op.f("uq_adapters_name")),
    )

    op.create_table(
        "activations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adapter_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        _moment("created_at", nullable=False),
        sa.Column("by_user", sa.String(length=255), nullable=True),
        sa.CheckConstraint(
            "action IN ('activate', 'rollback')", name=op.f("ck_activations_action")
        ),
        sa.ForeignKeyConstraint(
            ["adapter_id"], ["adapters.id"], name=op.f("fk_activations_adapter_id_adapters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activations")),
    )

    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adapter_id", sa.Integer(), nullable=True),
        sa.Column("baseline", sa.String(length=64), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("split", sa.String(length=32), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _moment("created_at", nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        _moment("started_at"),
        _moment("finished_at"),
        sa.Column("worker_pid", sa.Integer(), nullable=True),
        sa.CheckConstraint(STATUS_CHECK, name=op.f("ck_evaluations_status")),
        sa.ForeignKeyConstraint(
            ["adapter_id"], ["adapters.id"], name=op.f("fk_evaluations_adapter_id_adapters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
    )
    op.create_index(op.f("ix_evaluations_adapter_id"), "evaluations", ["adapter_id"])
    op.create_index(op.f("ix_evaluations_status"), "evaluations", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_evaluations_status"), table_name="evaluations")
    op.drop_index(op.f("ix_evaluations_adapter_id"), table_name="evaluations")
    op.drop_table("evaluations")
    op.drop_table("activations")
    op.drop_table("adapters")
    op.drop_index(op.f("ix_run_logs_run_id"), table_name="run_logs")
    op.drop_table("run_logs")
    op.drop_index(op.f("ix_run_steps_run_id"), table_name="run_steps")
    op.drop_table("run_steps")
    op.drop_index(op.f("ix_training_runs_status"), table_name="training_runs")
    op.drop_table("training_runs")
    op.drop_table("users")
