"""Joint assessments (egen vurdering → fælles vurdering) and their participants, each with their
own individual assessment.

Revision ID: 53378a6d4e1c
Revises: 789779560c80
Create Date: 2026-12-03 07:38:34.815773
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '53378a6d4e1c'
down_revision: str | None = "789779560c80"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('joint_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('started_by', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('collecting', 'ready', 'finished')", name=op.f('ck_joint_assessment_status')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_joint_assessment_assessment_id_assessment')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_joint_assessment_child_id_child')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_joint_assessment_institution_id_institution')),
    sa.ForeignKeyConstraint(['started_by'], ['user_account.id'], name=op.f('fk_joint_assessment_started_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_assessment'))
    )
    with op.batch_alter_table('joint_assessment', schema=None) as batch_op:
        batch_op.create_index('ix_joint_assessment_child_id', ['child_id'], unique=False)
        batch_op.create_index('ix_joint_assessment_institution_id_status', ['institution_id', 'status'], unique=False)

    op.create_table('joint_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('joint_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_joint_participant_assessment_id_assessment')),
    sa.ForeignKeyConstraint(['joint_id'], ['joint_assessment.id'], name=op.f('fk_joint_participant_joint_id_joint_assessment')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_joint_participant_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_participant')),
    sa.UniqueConstraint('assessment_id', name=op.f('uq_joint_participant_assessment_id')),
    sa.UniqueConstraint('joint_id', 'user_id', name=op.f('uq_joint_participant_joint_id_user_id'))
    )
    with op.batch_alter_table('joint_participant', schema=None) as batch_op:
        batch_op.create_index('ix_joint_participant_user_id', ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('joint_participant', schema=None) as batch_op:
        batch_op.drop_index('ix_joint_participant_user_id')

    op.drop_table('joint_participant')
    with op.batch_alter_table('joint_assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_joint_assessment_institution_id_status')
        batch_op.drop_index('ix_joint_assessment_child_id')

    op.drop_table('joint_assessment')
