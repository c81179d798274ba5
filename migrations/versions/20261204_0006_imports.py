"""imports and import_rows: library imports (a job, its parsed rows and their matches)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 17:30:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'imports',
        sa.Column('id', postgresql.UUID(as_uuid=False), nullable=False),
        sa.Column('user_id', postgresql.UUID(as_uuid=False), nullable=False),
        sa.Column('format', sa.String(length=20), nullable=False),
        sa.Column('overwrite', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_imports')),
    )
    op.create_index('ix_imports_user_id', 'imports', ['user_id'])
    op.create_table(
        'import_rows',
        sa.Column('import_id', postgresql.UUID(as_uuid=False), nullable=False),
        sa.Column('row_no', sa.Integer(), nullable=False),
        sa.Column('entry', postgresql.JSONB(), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('tmdb_id', sa.Integer(), nullable=True),
        sa.Column('confidence', sa.Float(), nullable=True),
        sa.Column('how', sa.Text(), nullable=True),
        sa.Column('candidates', postgresql.JSONB(), nullable=True),
        sa.Column('written', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['import_id'], ['imports.id'],
                                name=op.f('fk_import_rows_import_id_imports')),
        sa.PrimaryKeyConstraint('import_id', 'row_no', name=op.f('pk_import_rows')),
    )


def downgrade() -> None:
    op.drop_table('import_rows')
    op.drop_index('ix_imports_user_id', table_name='imports')
    op.drop_table('imports')
