"""Instance state is compressed with lz4 on PostgreSQL, and a downgrade gives pglz back."""

import pytest
import sqlalchemy as sa
from alembic import command

from engine.store.migrate import alembic_config

COMPRESSION = sa.text("SELECT attcompression FROM pg_attribute "
                      "WHERE attrelid = 'instances'::regclass AND attname = 'state_json'")


def test_state_json_takes_lz4_and_gives_it_back_on_downgrade(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite stores text uncompressed")
    engine, config = sa.create_engine(db_url), alembic_config(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(COMPRESSION).scalar() == "l"
        command.downgrade(config, "0021")
        with engine.connect() as conn:
            assert conn.execute(COMPRESSION).scalar() == "p"
    finally:
        command.upgrade(config, "head")
        engine.dispose()
