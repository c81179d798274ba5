"""projection_sweeps: the catch-up sweeper's watermark per lane

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 11:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'projection_sweeps',
        sa.Column('lane', sa.String(length=40), nullable=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
        sa.Column('swept_at', sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text('now()')),
        sa.PrimaryKeyConstraint('lane', name=op.f('pk_projection_sweeps')),
    )


def downgrade() -> None:
    op.drop_table('projection_sweeps')
