"""What held an edit back: ``edits.held_by``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

The name of the guard (``fact``, ``variety``...) or ``margin`` that held a suggestion back,
so that the feedback view can say which of them writers overrule. Suggestions stored
before it, and offered edits, have none (NULL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column without constraints: SQLite and PostgreSQL both add it in place.
    op.add_column("edits", sa.Column("held_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    # In place as well (SQLite 3.35+ drops a column that no constraint names).
    op.drop_column("edits", "held_by")
