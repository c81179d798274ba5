"""catalog: movies, genre catalog, curated lists; read_movies, read_lists, read_genres

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 19:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

INT_ARRAY = postgresql.ARRAY(sa.Integer())
JSONB = postgresql.JSONB(astext_type=sa.Text())


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    _write_tables()
    _read_movies()
    op.create_table(
        'read_lists',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('tmdb_ids', INT_ARRAY, nullable=False),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_read_lists')))
    op.create_table(
        'read_genres',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('name', sa.String(length=100), server_default='', nullable=False),
        sa.Column('movie_count', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_read_genres')))


def _write_tables() -> None:
    op.create_table(
        'movies',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('tmdb_id', sa.Integer(), nullable=False),
        sa.Column('fields', JSONB, nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('delisted', sa.Boolean(), nullable=False),
        sa.Column('detail_complete', sa.Boolean(), nullable=False),
        sa.Column('recommendations', INT_ARRAY, nullable=False),
        sa.Column('similar', INT_ARRAY, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_movies')),
        sa.UniqueConstraint('tmdb_id', name=op.f('uq_movies_tmdb_id')))
    op.create_table(
        'genre_catalogs',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('genres', JSONB, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_genre_catalogs')))
    op.create_table(
        'curated_lists',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('tmdb_ids', INT_ARRAY, nullable=False),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_curated_lists')))


def _read_movies() -> None:
    op.create_table(
        'read_movies',
        sa.Column('tmdb_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('fields', JSONB, nullable=False),
        sa.Column('card', JSONB, nullable=False),
        sa.Column('detail', JSONB, nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('original_title', sa.Text(), nullable=False),
        sa.Column('overview', sa.Text(), nullable=False),
        sa.Column('search', postgresql.TSVECTOR(), nullable=False),
        sa.Column('popularity', sa.Float(), nullable=False),
        sa.Column('vote_average', sa.Float(), nullable=False),
        sa.Column('vote_count', sa.Integer(), nullable=False),
        sa.Column('release_date', sa.Date(), nullable=True),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('original_language', sa.String(length=16), nullable=False),
        sa.Column('genre_ids', INT_ARRAY, nullable=False),
        sa.Column('favorite_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('delisted', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('recommendations', INT_ARRAY, server_default='{}', nullable=False),
        sa.Column('similar', INT_ARRAY, server_default='{}', nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('tmdb_id', name=op.f('pk_read_movies')))
    op.create_index('ix_read_movies_search', 'read_movies', ['search'],
                    postgresql_using='gin')
    op.create_index('ix_read_movies_title_trgm', 'read_movies',
                    [sa.text('lower(title) gin_trgm_ops')], postgresql_using='gin')
    op.create_index('ix_read_movies_genre_ids', 'read_movies', ['genre_ids'],
                    postgresql_using='gin')
    for column in ('popularity', 'vote_average', 'release_date', 'title', 'favorite_count',
                   'year'):
        op.create_index(f'ix_read_movies_{column}', 'read_movies', [column])


def downgrade() -> None:
    for table in ('read_genres', 'read_lists', 'read_movies', 'curated_lists',
                  'genre_catalogs', 'movies'):
        op.drop_table(table)
