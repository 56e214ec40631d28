"""Sign-in through the identity provider: organisation units' external ids, the users'
OIDC subject, and a session's ID token (the hint of the RP-initiated logout).

Revision ID: 8bef2035f8d2
Revises: 3e2b7f2a8cfa
Create Date: 2026-12-03 07:37:00.280301
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '8bef2035f8d2'
down_revision: str | None = '3e2b7f2a8cfa'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_district_external_id'), ['external_id'])

    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_institution_external_id'), ['external_id'])

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_subject', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_oidc_subject'), ['oidc_subject'])

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_id_token', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_column('oidc_id_token')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_oidc_subject'), type_='unique')
        batch_op.drop_column('oidc_subject')

    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_institution_external_id'), type_='unique')
        batch_op.drop_column('external_id')

    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_district_external_id'), type_='unique')
        batch_op.drop_column('external_id')
