"""Why an edit was held back: ``edits.held_reason``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

An edit with a reason is a suggestion: the model proposed it, a guard or the confidence
threshold held it back, and it joins the final text only if the writer accepts it.
Existing edits were all offered (NULL). Downgraded, the suggestions stay as edits
without a reason, which the older code offers like the rest (the final texts already
stored do not change).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column without constraints: SQLite and PostgreSQL both add it in place.
    op.add_column("edits", sa.Column("held_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    # In place as well (SQLite 3.35+ drops a column that no constraint names).
    op.drop_column("edits", "held_reason")
