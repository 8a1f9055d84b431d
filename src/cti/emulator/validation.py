"""Check ARI JSON against the ARI spec (models, subtypes, response classes).

The spec is either the compact spec committed in ``cti/ari/apispec.json`` or a raw Swagger 1.1
api-docs folder; both read as one api-docs-shaped document per resource.

Hand-written on purpose: the emulator must not depend on the typed client generated elsewhere,
and the check must work without optional libraries.  Unknown properties count as errors, so an
emulator that invents fields is caught as surely as one that forgets required ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cti.ari import apispec

_LIST = re.compile(r"^List\[(?P<item>.+)\]$")
_PRIMITIVES = {"string", "Date", "int", "long", "double", "float", "boolean", "object", "binary"}


@dataclass
class _Operation:
    method: str
    regex: re.Pattern[str]
    response_class: str


@dataclass
class SpecValidator:
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    operations: list[_Operation] = field(default_factory=list)

    @classmethod
    def from_path(cls, path: Path) -> SpecValidator:
        """From the compact spec file or a raw api-docs folder."""
        return cls.from_documents(document for _, document in apispec.documents_at(path))

    @classmethod
    def from_directory(cls, directory: Path) -> SpecValidator:
        """From a raw api-docs folder, read as it is (no reduction)."""
        return cls.from_documents(
            json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))
        )

    @classmethod
    def from_documents(cls, documents: Iterable[dict[str, Any]]) -> SpecValidator:
        validator = cls()
        for document in documents:
            for name, model in (document.get("models") or {}).items():
                validator.models[name] = model
                for child in model.get("subTypes", []):
                    validator.parents[child] = name
            for api in document.get("apis") or []:
                if "operations" not in api:
                    continue
                template = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(api["path"]))
                for operation in api["operations"]:
                    validator.operations.append(
                        _Operation(
                            operation["httpMethod"],
                            re.compile(f"^{template}$"),
                            operation.get("responseClass", "void"),
                        )
                    )
        return validator

    # ------------------------------------------------------------------ models
    def properties(self, model_name: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        chain = [model_name]
        while chain[-1] in self.parents:
            chain.append(self.parents[chain[-1]])
        for name in reversed(chain):
            merged.update(self.models[name].get("properties", {}))
        return merged

    def errors(self, type_name: str, value: Any, where: str = "$") -> list[str]:
        list_match = _LIST.match(type_name)
        if list_match is not None:
            if not isinstance(value, list):
                return [f"{where}: expected a list for {type_name}"]
            found: list[str] = []
            for index, item in enumerate(value):
                found += self.errors(list_match.group("item"), item, f"{where}[{index}]")
            return found
        if type_name in _PRIMITIVES:
            return self._primitive_errors(type_name, value, where)
        if type_name not in self.models:
            return [f"{where}: unknown model {type_name}"]
        if not isinstance(value, dict):
            return [f"{where}: expected an object for {type_name}"]
        properties = self.properties(type_name)
        found = []
        for name, spec in properties.items():
            if spec.get("required") and name not in value:
                found.append(f"{where}: {type_name} lacks required {name!r}")
        for name, item in value.items():
            if name not in properties:
                found.append(f"{where}: {type_name} has unknown property {name!r}")
                continue
            spec = properties[name]
            allowed = (spec.get("allowableValues") or {}).get("values")
            if allowed and item not in allowed:
                found.append(f"{where}.{name}: {item!r} not in {allowed}")
            found += self.errors(spec["type"], item, f"{where}.{name}")
        return found

    @staticmethod
    def _primitive_errors(type_name: str, value: Any, where: str) -> list[str]:
        checks: dict[str, tuple[type, ...]] = {
            "string": (str,),
            "Date": (str,),
            "int": (int,),
            "long": (int,),
            "double": (int, float),
            "float": (int, float),
            "boolean": (bool,),
            "object": (dict,),
            "binary": (str, bytes),
        }
        expected = checks[type_name]
        if isinstance(value, bool) and bool not in expected:
            return [f"{where}: expected {type_name}, got a boolean"]
        if not isinstance(value, expected):
            return [f"{where}: expected {type_name}, got {type(value).__name__}"]
        return []

    # ------------------------------------------------------------------ entry points
    def event_errors(self, event: dict[str, Any]) -> list[str]:
        event_type = event.get("type")
        if not isinstance(event_type, str) or event_type not in self.models:
            return [f"unknown event type {event_type!r}"]
        return self.errors(event_type, event)

    def check_event(self, event: dict[str, Any]) -> None:
        problems = self.event_errors(event)
        if problems:
            raise AssertionError("; ".join(problems))

    def response_errors(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """`path` without the /ari prefix.  Error bodies must be `{"message"|"error": str}`."""
        if status >= 400:
            if isinstance(body, dict) and len(body) == 1:
                key, text = next(iter(body.items()))
                if key in ("message", "error") and isinstance(text, str):
                    return []
            return [f"{method} {path}: bad error body {body!r}"]
        for operation in self.operations:
            if operation.method == method and operation.regex.match(path):
                if operation.response_class == "void" or status == 204:
                    return [] if body is None else [f"{method} {path}: void with a body"]
                return self.errors(operation.response_class, body)
        return [f"{method} {path}: no such operation in api-docs"]
