"""Retention: the day a child left, ids of children never reused, and the audit log's gate.

The audit log stays append-only, except that the retention run may delete rows older than
its own period: the trigger lets a DELETE through only for a row older than
``audit_retention_gate.delete_before``, which is NULL outside the run's transaction.

Revision ID: 24a9170b0c05
Revises: 8bef2035f8d2
Create Date: 2026-12-03 08:11:45.402752
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "24a9170b0c05"
down_revision: str | None = "8bef2035f8d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "'audit_event is append-only'"


def upgrade() -> None:
    op.create_table(
        "audit_retention_gate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delete_before", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_retention_gate_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_retention_gate")),
    )
    op.execute("INSERT INTO audit_retention_gate (id, delete_before) VALUES (1, NULL)")
    # SQLite: AUTOINCREMENT, so that a deleted child's id is never given to a new child (the
    # audit log keeps child ids). The table is recreated; PostgreSQL ignores the option.
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "child", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass
    _gate_deletes()


def _gate_deletes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND OLD.at < (
                    SELECT delete_before FROM audit_retention_gate WHERE id = 1
                ) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION {_MESSAGE};
            END;
            $$ LANGUAGE plpgsql
            """
        )
    else:
        op.execute("DROP TRIGGER audit_event_no_delete")
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "WHEN coalesce(OLD.at < (SELECT delete_before FROM audit_retention_gate "
            "WHERE id = 1), 0) = 0 "
            f"BEGIN SELECT RAISE(ABORT, {_MESSAGE}); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION {_MESSAGE};
            END;
            $$ LANGUAGE plpgsql
            """
        )
    else:
        op.execute("DROP TRIGGER audit_event_no_delete")
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, {_MESSAGE}); END"
        )
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.drop_column("left_on")
    op.drop_table("audit_retention_gate")
