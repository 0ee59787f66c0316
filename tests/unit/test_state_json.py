"""The state blob's JSON codec holds what the standard library holds and refuses what it refuses."""

import json
import math
from datetime import UTC, datetime

import pytest

from engine.codec import dumps, loads

HELD = [
    {"text": "Sở Xây dựng", "n": 3, "x": 1.5, "ok": True, "none": None, "list": [1, "a", [2]]},
    {1: "a", None: "b", False: "c", 2.5: "d"},  # keys that are not strings become strings, as json makes them
    {"big": 2**70},  # past 64 bits: orjson refuses, json holds it
    {"deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[0]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
    {"tuple": (1, 2)},
]


@pytest.mark.parametrize("value", HELD)
def test_what_json_holds_reads_back_as_json_reads_it(value):
    assert loads(dumps(value)) == json.loads(json.dumps(value, ensure_ascii=False))


def test_nesting_deeper_than_orjson_allows_still_goes_through_json():
    value: list = []
    for _ in range(400):
        value = [value]
    assert loads(dumps(value)) == json.loads(json.dumps(value))


@pytest.mark.parametrize("value", [{"when": datetime(2026, 2, 12, tzinfo=UTC)}, {"set": {1, 2}},
                                   {"bytes": b"x"}])
def test_what_json_refuses_is_refused(value):
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        dumps(value)


def test_a_nan_written_by_json_still_reads_back():
    assert math.isnan(loads(json.dumps({"x": float("nan")}))["x"])
