"""Handovers (overlevering) from a daycare to a school, with the parents' consent; at most
one open (sent) handover per child (a partial unique index on both databases).

Revision ID: d097c9f940b5
Revises: fb51680c7a52
Create Date: 2026-12-03 12:17:35.338128
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "d097c9f940b5"
down_revision: str | None = "fb51680c7a52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('handover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('from_institution_id', sa.Integer(), nullable=False),
    sa.Column('to_institution_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('consent_given_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('consent_given_on', sa.Date(), nullable=False),
    sa.Column('consent_covers', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('consent_includes_meetings', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_by', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('sent', 'accepted', 'withdrawn')", name=op.f('ck_handover_status')),
    sa.CheckConstraint('from_institution_id <> to_institution_id', name=op.f('ck_handover_other_institution')),
    sa.ForeignKeyConstraint(['accepted_by'], ['user_account.id'], name=op.f('fk_handover_accepted_by_user_account')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_handover_child_id_child')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_handover_created_by_user_account')),
    sa.ForeignKeyConstraint(['from_institution_id'], ['institution.id'], name=op.f('fk_handover_from_institution_id_institution')),
    sa.ForeignKeyConstraint(['to_institution_id'], ['institution.id'], name=op.f('fk_handover_to_institution_id_institution')),
    sa.ForeignKeyConstraint(['withdrawn_by'], ['user_account.id'], name=op.f('fk_handover_withdrawn_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover'))
    )
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index('ix_handover_child_id', ['child_id'], unique=False)
        batch_op.create_index('ix_handover_from_institution_id', ['from_institution_id'], unique=False)
        batch_op.create_index('ix_handover_to_institution_id_status', ['to_institution_id', 'status'], unique=False)
        batch_op.create_index('uq_handover_child_id_open', ['child_id'], unique=True, sqlite_where=sa.text("status = 'sent'"), postgresql_where=sa.text("status = 'sent'"))



def downgrade() -> None:
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index('uq_handover_child_id_open', sqlite_where=sa.text("status = 'sent'"), postgresql_where=sa.text("status = 'sent'"))
        batch_op.drop_index('ix_handover_to_institution_id_status')
        batch_op.drop_index('ix_handover_from_institution_id')
        batch_op.drop_index('ix_handover_child_id')

    op.drop_table('handover')
