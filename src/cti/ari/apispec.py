"""The compact ARI spec committed with the code: Asterisk's api-docs reduced to their facts.

Asterisk describes ARI in Swagger 1.1 files (``rest-api/api-docs/*.json``). The repository keeps
only what the model generator, the ARI emulator's validator and the tests need: for each resource
its operations (path, method, nickname, response class, parameters with their types, defaults and
allowed values, error status codes) and its models (properties with type, required flag and
allowed values; subtypes and discriminator). The prose (descriptions, summaries, notes) is left
out. A clone therefore needs nothing beside it, and when Asterisk's API changes the file is
re-derived with ``python -m cti.ari.codegen --derive-spec DIR``.

The per-resource entries keep Swagger's own key names, so a resource of the compact spec reads
exactly like a (prose-free) api-docs file to every consumer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

COMPACT_SPEC = Path(__file__).with_name("apispec.json")
"""Where the committed compact spec lives (installed with the package as data)."""

Json = dict[str, Any]

# The keys kept at each level; anything else in api-docs is prose or bookkeeping.
_OPERATION_KEYS = ("httpMethod", "nickname", "responseClass", "upgrade", "websocketProtocol")
_PARAMETER_KEYS = (
    "name",
    "paramType",
    "dataType",
    "required",
    "allowMultiple",
    "defaultValue",
    "allowableValues",
)
_PROPERTY_KEYS = ("type", "required", "allowableValues")


class CompactSpecError(Exception):
    """The api-docs folder or the compact spec is missing or malformed."""


def derive(api_docs: Path) -> Json:
    """Reduce an api-docs folder (Swagger 1.1, one file per resource) to the compact spec."""
    files = sorted(api_docs.glob("*.json")) if api_docs.is_dir() else []
    if not files:
        raise CompactSpecError(f"no ARI api-docs found in {api_docs}")
    api_version = ""
    resources: Json = {}
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        if path.stem == "resources":
            # The resource listing only names the other files; its version is the API's version.
            api_version = str(document.get("apiVersion", ""))
            continue
        resources[path.stem] = _resource(document)
    return {
        "format": "hotline compact ARI spec 1",
        "apiVersion": api_version,
        "resources": resources,
    }


def _resource(document: Mapping[str, Any]) -> Json:
    apis = []
    for api in document.get("apis") or []:
        operations = [_operation(operation) for operation in api.get("operations") or []]
        apis.append({"path": api["path"], "operations": operations})
    models = {name: _model(model) for name, model in sorted((document.get("models") or {}).items())}
    return {"resourcePath": document.get("resourcePath", ""), "apis": apis, "models": models}


def _operation(operation: Mapping[str, Any]) -> Json:
    kept: Json = {key: operation[key] for key in _OPERATION_KEYS if key in operation}
    kept["parameters"] = [
        {key: parameter[key] for key in _PARAMETER_KEYS if key in parameter}
        for parameter in operation.get("parameters") or []
    ]
    codes = sorted(int(error["code"]) for error in operation.get("errorResponses") or [])
    if codes:
        kept["errorCodes"] = codes
    return kept


def _model(model: Mapping[str, Any]) -> Json:
    kept: Json = {
        "properties": {
            name: {key: prop[key] for key in _PROPERTY_KEYS if key in prop}
            for name, prop in sorted((model.get("properties") or {}).items())
        }
    }
    for key in ("subTypes", "discriminator"):
        if key in model:
            kept[key] = model[key]
    return kept


def dumps(spec: Json) -> str:
    """The committed text: stable key order, one fact per line, so a diff reads as an API change."""
    return json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def load(path: Path = COMPACT_SPEC) -> Json:
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CompactSpecError(f"compact ARI spec {path} is missing") from error
    if not isinstance(spec, dict) or not isinstance(spec.get("resources"), dict):
        raise CompactSpecError(f"{path} is not a compact ARI spec (no 'resources' object)")
    return spec


def documents(spec: Json) -> list[tuple[str, Json]]:
    """``(resource name, api-docs-shaped document)`` pairs, sorted by name."""
    return sorted(spec["resources"].items())


def documents_at(path: Path) -> list[tuple[str, Json]]:
    """Documents from either the compact spec file or a raw api-docs folder."""
    if path.is_dir():
        return documents(derive(path))
    return documents(load(path))
