"""Round figures: finished_at joins the index of a child's assessments.

The round page, the overview and the admins' figures look up, per child of a round, its
latest counted assessment within the round's period (a correlated NOT EXISTS of a later
one). ``ix_assessment_child_id_status`` becomes ``(child_id, status, finished_at)``: it serves
every query the old one did, and the period's range is read from the index.

Revision ID: fb51680c7a52
Revises: a939f28e0723
Create Date: 2026-12-03 08:55:44.582758
"""

from collections.abc import Sequence

from alembic import op

revision: str = "fb51680c7a52"
down_revision: str | None = "a939f28e0723"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_child_id_status_finished_at",
            ["child_id", "status", "finished_at"],
            unique=False,
        )
        batch_op.drop_index("ix_assessment_child_id_status")


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_child_id_status", ["child_id", "status"], unique=False
        )
        batch_op.drop_index("ix_assessment_child_id_status_finished_at")
