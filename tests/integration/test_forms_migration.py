"""Versions deployed before forms were data keep working: migration 0011 gives them their forms."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from engine.store.migrate import alembic_config
from tests.conftest import PROCESSES

BEFORE_FORMS = "0009"


def test_a_version_deployed_before_forms_were_data_gets_the_forms_it_names(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, BEFORE_FORMS)
    engine = sa.create_engine(url)
    bpmn = (PROCESSES / "lay_y_kien_phoi_hop.bpmn").read_text(encoding="utf-8")
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO process_versions (process_id, version, name, content_hash, bpmn_xml, spec_json,"
            " deployed_at, deployed_by) VALUES ('lay_y_kien_phoi_hop', 1, 'Lấy ý kiến', 'h', :xml, '{}',"
            " :at, 'system')"), {"xml": bpmn, "at": datetime(2026, 2, 12, tzinfo=UTC)})

    command.upgrade(config, "head")

    with engine.connect() as conn:
        forms = sa.table("process_versions", sa.column("forms", sa.JSON))
        [stored] = conn.execute(sa.select(forms.c.forms)).scalars().all()
    engine.dispose()
    assert set(stored) == {"consultation_request", "consultation_reply", "consultation_reanswer",
                           "consultation_synthesis", "provincial_review"}
    # As before forms were data: each field lands as a variable of its name.
    assert stored["consultation_reply"]["writes"] == ["position", "reasons"]
    assert stored["consultation_reply"]["properties"]["position"]["title"] == "Quan điểm"
