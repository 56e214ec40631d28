"""Groups (stue, gruppe, klasse) with their children and staff, and well-being rounds over
groups (issue 13).

Revision ID: 5c1d2e3f4a6b
Revises: 24a9170b0c05
Create Date: 2026-12-03 07:41:21.475314
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '5c1d2e3f4a6b'
down_revision: str | None = "24a9170b0c05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('child_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_child_group_institution_id_institution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_group')),
    sa.UniqueConstraint('institution_id', 'name', name=op.f('uq_child_group_institution_id_name'))
    )
    with op.batch_alter_table('child_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_group_institution_id'), ['institution_id'], unique=False)

    op.create_table('child_group_staff',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['child_group.id'], name=op.f('fk_child_group_staff_group_id_child_group')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_child_group_staff_user_id_user_account')),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_child_group_staff'))
    )
    with op.batch_alter_table('child_group_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_group_staff_user_id'), ['user_id'], unique=False)

    op.create_table('wellbeing_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_wellbeing_round_period')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_wellbeing_round_created_by_user_account')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_wellbeing_round_institution_id_institution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wellbeing_round'))
    )
    with op.batch_alter_table('wellbeing_round', schema=None) as batch_op:
        batch_op.create_index('ix_wellbeing_round_institution_id_starts_on', ['institution_id', 'starts_on'], unique=False)

    op.create_table('child_group_child',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_child_group_child_child_id_child')),
    sa.ForeignKeyConstraint(['group_id'], ['child_group.id'], name=op.f('fk_child_group_child_group_id_child_group')),
    sa.PrimaryKeyConstraint('group_id', 'child_id', name=op.f('pk_child_group_child'))
    )
    with op.batch_alter_table('child_group_child', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_group_child_child_id'), ['child_id'], unique=False)

    op.create_table('wellbeing_round_group',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['child_group.id'], name=op.f('fk_wellbeing_round_group_group_id_child_group')),
    sa.ForeignKeyConstraint(['round_id'], ['wellbeing_round.id'], name=op.f('fk_wellbeing_round_group_round_id_wellbeing_round')),
    sa.PrimaryKeyConstraint('round_id', 'group_id', name=op.f('pk_wellbeing_round_group'))
    )
    with op.batch_alter_table('wellbeing_round_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wellbeing_round_group_group_id'), ['group_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('wellbeing_round_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wellbeing_round_group_group_id'))

    op.drop_table('wellbeing_round_group')
    with op.batch_alter_table('child_group_child', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_group_child_child_id'))

    op.drop_table('child_group_child')
    with op.batch_alter_table('wellbeing_round', schema=None) as batch_op:
        batch_op.drop_index('ix_wellbeing_round_institution_id_starts_on')

    op.drop_table('wellbeing_round')
    with op.batch_alter_table('child_group_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_group_staff_user_id'))

    op.drop_table('child_group_staff')
    with op.batch_alter_table('child_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_group_institution_id'))

    op.drop_table('child_group')
