"""imports.attempts, failure and retry_at: an import that keeps failing is tried a few
times with backoff, then marked failed with its reason (not re-sent forever)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 07:40:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('imports', sa.Column('attempts', sa.Integer(), server_default='0',
                                       nullable=False))
    op.add_column('imports', sa.Column('failure', sa.Text(), nullable=True))
    op.add_column('imports', sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('imports', 'retry_at')
    op.drop_column('imports', 'failure')
    op.drop_column('imports', 'attempts')
