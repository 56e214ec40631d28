"""Meetings about a child (cross-disciplinary, network, status): participants by role, the
parents' part, what was agreed, the follow-up date.

Revision ID: 1c81a55f2c15
Revises: d097c9f940b5
Create Date: 2026-12-03 12:21:27.257920
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '1c81a55f2c15'
down_revision: str | None = "d097c9f940b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('participants', sa.JSON(), nullable=False),
    sa.Column('parents_took_part', sa.Boolean(), nullable=False),
    sa.Column('agreed', sa.Text(), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('cross_disciplinary', 'network', 'status')", name=op.f('ck_meeting_kind')),
    sa.CheckConstraint('follow_up_on IS NULL OR follow_up_on >= held_on', name=op.f('ck_meeting_follow_up_after_meeting')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_meeting_assessment_id_assessment')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_meeting_child_id_child')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_meeting_created_by_user_account')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_meeting_institution_id_institution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_child_id_held_on', ['child_id', 'held_on'], unique=False)
        batch_op.create_index('ix_meeting_institution_id_follow_up_on', ['institution_id', 'follow_up_on'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_institution_id_follow_up_on')
        batch_op.drop_index('ix_meeting_child_id_held_on')

    op.drop_table('meeting')
