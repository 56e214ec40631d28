"""A concern's version: two social workers moving the same concern at once, one wins.

Every step of the handling (move, take) is written with ``UPDATE concern SET version =
version + 1 … WHERE id = ? AND version = ?``; a step decided on an older version is 409.
Existing rows start at 1.

Revision ID: 3f0c5d7e9a21
Revises: 1c81a55f2c15
Create Date: 2026-12-03 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f0c5d7e9a21"
down_revision: str | None = "1c81a55f2c15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.drop_column("version")
