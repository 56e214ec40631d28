"""Audit viewer: indexes for its filters by person and by object (issue 14).

With a million audit rows, the viewer filtered by a person (``actor_username``, the name the
admin types) counted its rows by reading the whole table (about 90 ms on PostgreSQL, a Seq
Scan); the object filter (``object_type``, ``object_id``) likewise. Both filters now have an
index that ends in ``at``, the viewer's order (newest first).

Revision ID: 3e7a91c4d2b8
Revises: 3f0c5d7e9a21
Create Date: 2026-12-03 12:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3e7a91c4d2b8"
down_revision: str | None = "3f0c5d7e9a21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_event_actor_username_at", ["actor_username", "at"], unique=False
        )
        batch_op.create_index(
            "ix_audit_event_object_type_object_id_at",
            ["object_type", "object_id", "at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_object_type_object_id_at")
        batch_op.drop_index("ix_audit_event_actor_username_at")
