"""One active adapter per intention set: ``activations.scope``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Existing activations keep serving every intention set (scope "").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "activations",
        sa.Column("scope", sa.String(length=255), server_default="", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("activations") as batch:
        batch.drop_column("scope")
