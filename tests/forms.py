"""Build small form files and upload a BPMN with them, as a designer does, for tests."""

import io
import json


def fields_form(*fields: str, title: str = "Nhập số liệu", shows=()) -> dict:
    """A form whose fields take any JSON value and land as variables of the same names."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "shows": list(shows),
        "writes": list(fields),
        "type": "object",
        "properties": {f: {"title": f"Trường {f}"} for f in fields},
        "additionalProperties": False,
    }


def deploy_with_forms(api, bpmn: bytes, forms: dict[str, dict | bytes], as_: str = "SKHCN_designer"):
    """Upload a BPMN file and form files in one multipart request; return the response."""
    files = [(io.BytesIO(f if isinstance(f, bytes) else json.dumps(f, ensure_ascii=False).encode()),
              f"{name}.json") for name, f in forms.items()]
    return api("POST", "/api/v1/processes", as_, data={"file": (io.BytesIO(bpmn), "process.bpmn"),
                                                        "forms": files},
               content_type="multipart/form-data")
