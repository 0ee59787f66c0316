"""Serialize process specs once per version and instance state without the spec.

An instance blob holds only its task tree and data (about 4 KB); the spec objects are restored
once per process version and shared by every instance of that version, which SpiffWorkflow
allows because specs are not mutated while a workflow runs.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.forms import Form, form_from_schema


@dataclass(frozen=True)
class CompiledSpec:
    """The restored spec objects and forms of one process version, shared by its instances."""

    spec: object
    subprocess_specs: dict
    forms: Mapping[str, Form] = field(default_factory=dict)


class InstanceStateConverter(BpmnWorkflowConverter):
    """Convert a workflow to and from a dict that leaves its specs out."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, compiled: CompiledSpec | None = None):
        workflow = self.target_class(compiled.spec, compiled.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = InstanceStateConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _serializer()


def dump_spec(spec, subprocess_specs: dict) -> str:
    """Return the JSON of a process spec and its embedded subprocess specs."""
    registry = _SERIALIZER.registry
    return json.dumps(
        {
            "spec": registry.convert(spec),
            "subprocess_specs": {name: registry.convert(s) for name, s in subprocess_specs.items()},
        }
    )


def load_spec(spec_json: str, forms: Mapping[str, dict] | None = None) -> CompiledSpec:
    """Restore spec objects from their JSON, and the version's forms from their schemas.

    Callers cache the result per version.
    """
    registry = _SERIALIZER.registry
    dct = json.loads(spec_json)
    subprocess_specs = {n: registry.restore(s) for n, s in dct["subprocess_specs"].items()}
    restored = {name: form_from_schema(name, schema) for name, schema in (forms or {}).items()}
    return CompiledSpec(registry.restore(dct["spec"]), subprocess_specs, restored)


# Keys that are not strings become strings, as json.dumps makes them; datetimes and dataclasses
# are refused, as json.dumps refuses them, so a script that leaves one still fails its step.
_ORJSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _refuse(value):
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dump_state(workflow: BpmnWorkflow) -> str:
    """Return the JSON of an instance's task tree and data, without its spec.

    orjson writes it some thirty times faster than the standard library (``dumps``).
    """
    dct = _SERIALIZER.to_dict(workflow)
    dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
    return dumps(dct)


def dumps(value) -> str:
    """Return a value as JSON text, holding what ``json.dumps`` holds, with orjson.

    What orjson cannot hold (an integer past 64 bits, nesting deeper than 254) goes through
    ``json``, which then succeeds or refuses exactly as it always did. One difference stays:
    a float NaN or infinity becomes null (``json`` writes a token that is not JSON, which
    PostgreSQL's json columns refuse anyway).
    """
    try:
        return orjson.dumps(value, default=_refuse, option=_ORJSON).decode()
    except TypeError:  # orjson.JSONEncodeError included
        return json.dumps(value, ensure_ascii=False)


def loads(text: str):
    """Parse state JSON; what orjson refuses (NaN written by ``json``) goes through ``json``."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def load_state(state_json: str, compiled: CompiledSpec, script_engine) -> BpmnWorkflow:
    """Rebuild a workflow from its state JSON, its version's spec and the sandboxed engine.

    The engine is attached here, on every load, because the serializer never keeps it and a
    workflow without one silently falls back to SpiffWorkflow's unrestricted ``eval``.
    """
    dct = loads(state_json)  # a fresh dict every time: from_dict mutates its input
    _SERIALIZER.migrate(dct)
    workflow = _SERIALIZER.from_dict(dct, compiled=compiled)
    workflow.script_engine = script_engine
    return workflow
