"""Focus points of an assessment (what, who, by when, done) and the parents informed or
involved (date, how), noted at the finish step (issue 13).

Revision ID: a939f28e0723
Revises: 53378a6d4e1c
Create Date: 2026-12-03 07:38:16.379159
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'a939f28e0723'
down_revision: str | None = "53378a6d4e1c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('focus_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('who', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_focus_point_assessment_id_assessment')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_focus_point_child_id_child')),
    sa.ForeignKeyConstraint(['done_by'], ['user_account.id'], name=op.f('fk_focus_point_done_by_user_account')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_focus_point_institution_id_institution')),
    sa.ForeignKeyConstraint(['responsible_id'], ['user_account.id'], name=op.f('fk_focus_point_responsible_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_point'))
    )
    with op.batch_alter_table('focus_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_focus_point_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index('ix_focus_point_institution_id_due_on', ['institution_id', 'due_on'], unique=False)
        batch_op.create_index('ix_focus_point_responsible_id_done_at', ['responsible_id', 'done_at'], unique=False)

    op.create_table('parent_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('involvement', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('how', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("involvement IN ('informed', 'involved')", name=op.f('ck_parent_contact_involvement')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_parent_contact_assessment_id_assessment')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_parent_contact_created_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_contact')),
    sa.UniqueConstraint('assessment_id', name=op.f('uq_parent_contact_assessment_id'))
    )


def downgrade() -> None:
    op.drop_table('parent_contact')
    with op.batch_alter_table('focus_point', schema=None) as batch_op:
        batch_op.drop_index('ix_focus_point_responsible_id_done_at')
        batch_op.drop_index('ix_focus_point_institution_id_due_on')
        batch_op.drop_index(batch_op.f('ix_focus_point_assessment_id'))

    op.drop_table('focus_point')
