"""Refuse JSON bodies too deep or too large before anything parses them.

Python's JSON decoder and encoder recurse once per level: a body nested a thousand levels
deep overflows the stack while decoding, and one nested a few hundred levels decodes but
breaks the instance that stores it. Depth is measured on the raw bytes, without recursion.
"""

import re

from flask import Flask, request

from service.problems import problem

MAX_JSON_DEPTH = 32
MAX_JSON_BYTES = 512 * 1024

# A JSON string (whose brackets do not nest) or one bracket.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENING = frozenset(b"[{")


def json_depth(body: bytes) -> int:
    """Return the deepest nesting of arrays and objects in a JSON text, counting on the bytes."""
    depth = deepest = 0
    for match in _TOKEN.finditer(body):
        first = match.group()[0]
        if first in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif first != ord('"'):
            depth -= 1
    return deepest


def refusal(body: bytes) -> str | None:
    """Say in Vietnamese why a JSON body is refused, or return None if it may be parsed."""
    if len(body) > MAX_JSON_BYTES:
        return f"Nội dung JSON vượt quá {MAX_JSON_BYTES // 1024} KB"
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and json_depth(body) > MAX_JSON_DEPTH:
        return f"Dữ liệu JSON lồng nhau quá {MAX_JSON_DEPTH} tầng"
    return None


def register(app: Flask) -> None:
    """Check every JSON request body before views, webargs or Flask decode it."""

    @app.before_request
    def check_json_body():
        if not request.is_json or request.content_length == 0:
            return None
        if (request.content_length or 0) > MAX_JSON_BYTES:
            reason = refusal(b" " * (MAX_JSON_BYTES + 1))  # say why without reading it all
        else:
            reason = refusal(request.get_data(cache=True))
        return problem(422, reason, "json-body") if reason else None
