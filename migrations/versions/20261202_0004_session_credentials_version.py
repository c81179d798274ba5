"""sessions record the credentials version their login was checked against

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 12:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('sessions', sa.Column('credentials_version', sa.Integer(), nullable=False,
                                        server_default='1'))
    # Sessions that exist now keep working: they take their user's current version.
    op.execute("""
        UPDATE sessions s SET credentials_version = u.credentials_version
        FROM users u WHERE u.id = s.user_id
    """)


def downgrade() -> None:
    op.drop_column('sessions', 'credentials_version')
