"""The adapter an adapter was trained from: ``adapters.parent_id``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Existing adapters have no parent (NULL): they were trained afresh.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEY = "fk_adapters_parent_id_adapters"  # models.NAMING_CONVENTION's name


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        # SQLite adds a column with its reference in place; batch mode would copy the
        # table, and dropping the old copy fails while activations and evaluations
        # refer to it (foreign keys are on).
        op.execute(
            f"ALTER TABLE adapters ADD COLUMN parent_id INTEGER "
            f"CONSTRAINT {FOREIGN_KEY} REFERENCES adapters (id)"
        )
        return
    op.add_column("adapters", sa.Column("parent_id", sa.Integer(), nullable=True))
    op.create_foreign_key(FOREIGN_KEY, "adapters", "adapters", ["parent_id"], ["id"])


def downgrade() -> None:
    if _sqlite():
        # In place as well (SQLite 3.35+): a column whose only constraint is its own
        # REFERENCES clause may be dropped; batch mode's copy would fail as above.
        op.execute("ALTER TABLE adapters DROP COLUMN parent_id")
        return
    op.drop_constraint(FOREIGN_KEY, "adapters", type_="foreignkey")
    op.drop_column("adapters", "parent_id")
