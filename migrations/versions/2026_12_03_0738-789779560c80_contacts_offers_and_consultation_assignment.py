"""Named contacts of institutions and districts (whom staff call), the offers versions admins
publish, and the social worker a consultation is assigned to first (the institution's named
social worker).

Revision ID: 789779560c80
Revises: 5c1d2e3f4a6b
Create Date: 2026-12-03 08:22:05.891493
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '789779560c80'
down_revision: str | None = "5c1d2e3f4a6b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('hours', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('social_worker', 'family_therapist', 'psychologist', 'health_visitor', 'speech_therapist', 'other')", name=op.f('ck_contact_role')),
    sa.CheckConstraint('(institution_id IS NOT NULL AND district_id IS NULL) OR (institution_id IS NULL AND district_id IS NOT NULL)', name=op.f('ck_contact_one_owner')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_contact_district_id_district')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_contact_institution_id_institution')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_contact_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_institution_id'), ['institution_id'], unique=False)

    op.create_table('offer_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('yaml', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_offer_version_created_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_version')),
    sa.UniqueConstraint('version', name=op.f('uq_offer_version_version'))
    )
    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_concern_assigned_to_user_account'), 'user_account', ['assigned_to'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_concern_assigned_to_user_account'), type_='foreignkey')
        batch_op.drop_column('assigned_to')

    op.drop_table('offer_version')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_institution_id'))
        batch_op.drop_index(batch_op.f('ix_contact_district_id'))

    op.drop_table('contact')
