"""Forms as data: each process version stores the JSON Schema of the forms it uses.

Revision ID: 0011
Revises: 0009

Versions deployed before forms were data named forms that lived in code; they get the
shipped form files of the same names, so their running instances keep working. Those forms
wrote each field as a variable of its name, so that is what their copies write.
"""

import json

import sqlalchemy as sa
from alembic import op
from lxml import etree

from engine.shipped import shipped

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

SHIPPED_FORMS = shipped("processes/forms")
FORM_PROPERTY = ("//spiffworkflow:property[@name='form']/@value",
                 {"spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"})


def upgrade() -> None:
    with op.batch_alter_table("process_versions") as batch:
        batch.add_column(sa.Column("forms", sa.JSON(), nullable=False, server_default="{}"))
    versions = sa.table("process_versions", sa.column("id", sa.Integer), sa.column("bpmn_xml", sa.Text),
                        sa.column("forms", sa.JSON))
    conn = op.get_bind()
    for version_id, bpmn_xml in conn.execute(sa.select(versions.c.id, versions.c.bpmn_xml)).all():
        forms = _shipped_forms_named_in(bpmn_xml)
        if forms:
            conn.execute(sa.update(versions).where(versions.c.id == version_id).values(forms=forms))


def _shipped_forms_named_in(bpmn_xml: str) -> dict:
    root = etree.fromstring(bpmn_xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    names = {str(n) for n in root.xpath(FORM_PROPERTY[0], namespaces=FORM_PROPERTY[1])}
    forms = {}
    for name in sorted(names):
        path = SHIPPED_FORMS / f"{name}.json"
        if path.is_file():
            schema = json.loads(path.read_text())
            forms[name] = {**schema, "writes": list(schema["properties"])}
    return forms


def downgrade() -> None:
    with op.batch_alter_table("process_versions") as batch:
        batch.drop_column("forms")
