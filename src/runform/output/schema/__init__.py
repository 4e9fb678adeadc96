"""The JSON Schema of ``summary.json``, shipped as package data."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SCHEMA_FILE = "summary.schema.json"


def summary_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of ``summary.json`` as a dict.

    Validate a summary with ``jsonschema.validate(summary, summary_schema())``
    (``jsonschema`` is in the ``dev`` extra).
    """
    text = resources.files(__name__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
