"""The operator's backup and restore drill (deploy/backup.sh, deploy/restore-drill.sh) on PostgreSQL."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import flows

pytestmark = pytest.mark.postgres
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_nightly_dump_restores_into_a_scratch_database_with_every_row(db_url, api, tmp_path):
    flows.start(api)
    flows.start(api)
    old = tmp_path / "dunghan-20260101T013000Z.dump"
    old.write_bytes(b"expired")
    os.utime(old, (time.time() - 20 * 86400,) * 2)  # past the 14 days kept
    scratch = f"{sa.engine.make_url(db_url).database}_drill"
    env = {**os.environ, "DUNGHAN_DATABASE_URL": db_url, "DUNGHAN_BACKUP_DIR": str(tmp_path),
           "DUNGHAN_DRILL_DATABASE": scratch, "DUNGHAN_BIN": str(Path(sys.executable).parent)}

    backup = subprocess.run([DEPLOY / "backup.sh"], env=env, capture_output=True, text=True)
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.parent == tmp_path and dump.stat().st_size > 0 and not old.exists()

    drill = subprocess.run([DEPLOY / "restore-drill.sh"], env=env, capture_output=True, text=True)
    assert drill.returncode == 0, drill.stderr
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        audits = conn.execute(sa.text("SELECT count(*) FROM audit_events")).scalar_one()
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        left = conn.execute(sa.text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": scratch})
        assert left.scalar_one() == 0  # the scratch database is gone
    engine.dispose()
    assert f"cấu trúc {revision}, 2 hồ sơ/quy trình, {audits} sự kiện nhật ký" in drill.stdout
    assert "Cấu trúc cơ sở dữ liệu: đúng phiên bản. Quy trình: running 2." in drill.stdout
    assert drill.stdout.rstrip().endswith("đã được xoá.")
