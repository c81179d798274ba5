"""library: favorites and watchlist (write side), their read tables, stats, movie
counter deltas, recommendations; read_movies gains user-rating counters and
detail_complete

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

INT_ARRAY = postgresql.ARRAY(sa.Integer())
JSONB = postgresql.JSONB(astext_type=sa.Text())
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    _write_tables()
    _read_tables()
    op.add_column('read_movies', sa.Column('rating_sum', sa.BigInteger(), server_default='0',
                                           nullable=False))
    op.add_column('read_movies', sa.Column('rating_count', sa.Integer(), server_default='0',
                                           nullable=False))
    op.add_column('read_movies', sa.Column('counts_seq', sa.BigInteger(), server_default='0',
                                           nullable=False))
    op.add_column('read_movies', sa.Column('detail_complete', sa.Boolean(),
                                           server_default=sa.text('false'), nullable=False))
    op.execute("UPDATE read_movies r SET detail_complete = m.detail_complete "
               "FROM movies m WHERE m.tmdb_id = r.tmdb_id")


def _write_tables() -> None:
    op.create_table(
        'libraries',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_libraries')))
    op.create_table(
        'library_favorites',
        sa.Column('library_id', sa.String(length=64), nullable=False),
        sa.Column('tmdb_id', sa.Integer(), nullable=False),
        sa.Column('rating', sa.SmallInteger(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('added_at', TIMESTAMP, nullable=False),
        sa.Column('updated_at', TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(['library_id'], ['libraries.id'],
                                name=op.f('fk_library_favorites_library_id_libraries')),
        sa.PrimaryKeyConstraint('library_id', 'tmdb_id', name=op.f('pk_library_favorites')))
    op.create_table(
        'library_watchlist',
        sa.Column('library_id', sa.String(length=64), nullable=False),
        sa.Column('tmdb_id', sa.Integer(), nullable=False),
        sa.Column('added_at', TIMESTAMP, nullable=False),
        sa.Column('watched', sa.Boolean(), nullable=False),
        sa.Column('watched_at', TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(['library_id'], ['libraries.id'],
                                name=op.f('fk_library_watchlist_library_id_libraries')),
        sa.PrimaryKeyConstraint('library_id', 'tmdb_id', name=op.f('pk_library_watchlist')))


def _read_tables() -> None:
    op.create_table(
        'read_favorites',
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('tmdb_id', sa.Integer(), nullable=False),
        sa.Column('rating', sa.SmallInteger(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('added_at', TIMESTAMP, nullable=False),
        sa.Column('updated_at', TIMESTAMP, nullable=False),
        sa.Column('genre_ids', INT_ARRAY, nullable=False),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('user_id', 'tmdb_id', name=op.f('pk_read_favorites')))
    op.create_index('ix_read_favorites_user_added', 'read_favorites', ['user_id', 'added_at'])
    op.create_index('ix_read_favorites_tmdb_id', 'read_favorites', ['tmdb_id'])
    op.create_table(
        'read_watchlist',
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('tmdb_id', sa.Integer(), nullable=False),
        sa.Column('added_at', TIMESTAMP, nullable=False),
        sa.Column('watched', sa.Boolean(), nullable=False),
        sa.Column('watched_at', TIMESTAMP, nullable=True),
        sa.Column('genre_ids', INT_ARRAY, nullable=False),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('user_id', 'tmdb_id', name=op.f('pk_read_watchlist')))
    op.create_table(
        'read_library_stats',
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('counters', JSONB, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_read_library_stats')))
    op.create_table(
        'read_movie_counter_deltas',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('tmdb_id', sa.Integer(), nullable=False),
        sa.Column('favorites', sa.SmallInteger(), nullable=False),
        sa.Column('rating_sum', sa.SmallInteger(), nullable=False),
        sa.Column('ratings', sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_read_movie_counter_deltas')))
    op.create_index('ix_read_movie_counter_deltas_tmdb_id', 'read_movie_counter_deltas',
                    ['tmdb_id'])
    op.create_table(
        'recommendation_lists',
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('items', JSONB, nullable=False),
        sa.Column('library_version', sa.Integer(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('computed_at', TIMESTAMP, server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_recommendation_lists')))


def downgrade() -> None:
    for column in ('detail_complete', 'counts_seq', 'rating_count', 'rating_sum'):
        op.drop_column('read_movies', column)
    for table in ('recommendation_lists', 'read_movie_counter_deltas', 'read_library_stats',
                  'read_watchlist', 'read_favorites', 'library_watchlist', 'library_favorites',
                  'libraries'):
        op.drop_table(table)
