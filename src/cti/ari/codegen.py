"""Generate ``cti/ari/models.py`` from the compact ARI spec committed beside it.

Usage::

    python -m cti.ari.codegen                      # (re)write src/cti/ari/models.py
    python -m cti.ari.codegen --derive-spec DIR    # re-derive apispec.json from Asterisk's
                                                   # api-docs folder DIR, then rewrite models.py
    python -m cti.ari.codegen --check              # exit 1 and summarise the diff when stale

``--check`` always compares models.py with the compact spec (``apispec.json``); when Asterisk's
api-docs are at hand (``--api-docs DIR``, ``$HOTLINE_ARI_SPEC_DIR``, or ``../shared/ari/api-docs``
beside the repository or beside the local repository it was cloned from) it also checks that the
compact spec is what they derive to. A clone with nothing beside it therefore passes on its own.
The output is deterministic
(models in dependency order, ties broken by name) and already in ``ruff format`` style, so the
drift check can compare text exactly.

Mapping rules, in short: every model of every api-docs file becomes a pydantic model deriving from
``AriModel`` (``extra="allow"``: a field added by a newer Asterisk never breaks parsing);
properties whose ``required`` is not true are optional with a ``None`` default; ``subTypes``
become Python inheritance (``Event`` extends ``Message``; every event type extends ``Event`` and
narrows ``type`` to its own name); ``allowableValues`` become ``Literal`` aliases, used as field
types except for the open sets in ``OPEN_ENUMS`` where Asterisk is known to send values outside
the list.
"""

from __future__ import annotations

import argparse
import difflib
import json
import keyword
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cti.ari import apispec

SPEC_ENV_VAR = "HOTLINE_ARI_SPEC_DIR"
DEFAULT_OUTPUT = Path(__file__).with_name("models.py")
LINE_LENGTH = 100
INDENT = "    "

# (model, property) pairs whose allowableValues are not exhaustive on the wire. The Literal alias
# is still generated as documentation, but the field stays a plain ``str`` so that one surprising
# value cannot turn a StasisStart into a dropped "malformed" event.
OPEN_ENUMS: dict[tuple[str, str], str] = {
    ("Channel", "state"): 'Asterisk prints unmapped states as "Unknown (<n>)"',
    ("Playback", "state"): 'Asterisk reports "paused" playbacks, which the list omits',
}

_PRIMITIVES: dict[str, str] = {
    "string": "str",
    "boolean": "bool",
    "int": "int",
    "long": "int",
    "double": "float",
    "Date": "AriDate",
    "object": "dict[str, Any]",
}
_LIST_TYPE = re.compile(r"^List\[(?P<item>.+)\]$")


class SpecError(Exception):
    """The api-docs directory is missing or holds something this generator cannot map."""


@dataclass(frozen=True)
class PropertySpec:
    name: str
    swagger_type: str
    required: bool
    description: str
    allowable_values: tuple[str, ...]


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    properties: tuple[PropertySpec, ...]
    source_file: str


def shared_ari_dir() -> Path:
    """``shared/ari`` beside this checkout, or beside the local repository it was cloned from.

    The ARI description and the Asterisk recordings live outside the repository, beside it. A
    fresh clone made elsewhere (``git clone /work/main /tmp/x``) finds them through its origin.
    """
    checkout = Path(__file__).resolve().parents[3]
    beside = checkout.parent / "shared" / "ari"
    if beside.is_dir():
        return beside
    try:
        origin = subprocess.run(
            ["git", "-C", str(checkout), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return beside
    if origin and "://" not in origin and ":" not in origin.split("/", 1)[0]:
        cloned_from = Path(origin).resolve().parent / "shared" / "ari"
        if cloned_from.is_dir():
            return cloned_from
    return beside


def default_spec_dir() -> Path:
    override = os.environ.get(SPEC_ENV_VAR)
    if override:
        return Path(override)
    return shared_ari_dir() / "api-docs"


def load_spec(
    documents: Iterable[tuple[str, dict[str, Any]]],
) -> tuple[dict[str, ModelSpec], dict[str, str]]:
    """Read the models of every document; return them and a child -> parent map."""
    models: dict[str, ModelSpec] = {}
    parents: dict[str, str] = {}
    for source, document in documents:
        for name, raw in sorted(document.get("models", {}).items()):
            if name in models:
                raise SpecError(
                    f"model {name} is defined in {models[name].source_file} and {source}"
                )
            models[name] = _model_spec(name, raw, source)
            for child in raw.get("subTypes", []):
                parents[child] = name
    if not models:
        raise SpecError("the spec defines no models")
    missing = sorted(set(parents) - set(models))
    if missing:
        raise SpecError(f"subTypes name models that do not exist: {', '.join(missing)}")
    return models, parents


def _model_spec(name: str, raw: dict[str, object], source_file: str) -> ModelSpec:
    raw_properties = raw.get("properties", {})
    if not isinstance(raw_properties, dict):
        raise SpecError(f"{source_file}: {name}.properties is not an object")
    properties = []
    for prop_name, prop in sorted(raw_properties.items()):
        allowable = prop.get("allowableValues", {})
        properties.append(
            PropertySpec(
                name=prop_name,
                swagger_type=str(prop["type"]),
                required=prop.get("required") is True,  # Swagger 1.1: absent means optional
                description=_one_line(str(prop.get("description", ""))),
                allowable_values=tuple(allowable.get("values", ())),
            )
        )
    return ModelSpec(
        name=name,
        description=_one_line(str(raw.get("description", ""))),
        properties=tuple(properties),
        source_file=source_file,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _python_type(swagger_type: str, models: dict[str, ModelSpec]) -> str:
    listed = _LIST_TYPE.match(swagger_type)
    if listed:
        return f"list[{_python_type(listed['item'], models)}]"
    if swagger_type in _PRIMITIVES:
        return _PRIMITIVES[swagger_type]
    if swagger_type in models:
        return swagger_type
    raise SpecError(f"unknown swagger type {swagger_type!r}")


def _referenced_models(swagger_type: str, models: dict[str, ModelSpec]) -> set[str]:
    listed = _LIST_TYPE.match(swagger_type)
    if listed:
        return _referenced_models(listed["item"], models)
    return {swagger_type} if swagger_type in models else set()


def _dependency_order(models: dict[str, ModelSpec], parents: dict[str, str]) -> list[str]:
    """Bases and field types before their users; otherwise alphabetical (stable output)."""
    ordered: list[str] = []
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise SpecError(f"circular model reference through {name}")
        visiting.add(name)
        needs = set()
        if name in parents:
            needs.add(parents[name])
        for prop in models[name].properties:
            needs |= _referenced_models(prop.swagger_type, models)
        for dependency in sorted(needs - {name}):
            visit(dependency)
        visiting.discard(name)
        done.add(name)
        ordered.append(name)

    for name in sorted(models):
        visit(name)
    return ordered


def _camel(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def enum_alias_name(model: str, prop: str) -> str:
    """``Channel.state`` -> ``ChannelState``; ``Bridge.bridge_type`` -> ``BridgeType``."""
    camel = _camel(prop)
    return camel if camel.startswith(model) else model + camel


def _field_name(prop: str) -> str:
    return prop + "_" if keyword.iskeyword(prop) else prop


def _docstring(text: str, indent: str) -> list[str]:
    if not text:
        return []
    safe = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if safe.endswith('"'):
        safe += " "  # a closing quote right before the delimiter would end the string early
    return [f'{indent}"""{safe}"""']


def _literal(values: Sequence[str], prefix: str, indent: str = "") -> list[str]:
    items = [json.dumps(value, ensure_ascii=False) for value in values]
    flat = f"{indent}{prefix}Literal[{', '.join(items)}]"
    if len(flat) <= LINE_LENGTH:
        return [flat]
    return [
        f"{indent}{prefix}Literal[",
        *(f"{indent}{INDENT}{item}," for item in items),
        f"{indent}]",
    ]


def _enum_aliases(models: dict[str, ModelSpec]) -> list[str]:
    lines: list[str] = []
    for model_name in sorted(models):
        for prop in models[model_name].properties:
            if not prop.allowable_values:
                continue
            alias = enum_alias_name(model_name, prop.name)
            lines.extend(_literal(prop.allowable_values, f"{alias} = "))
            lines.extend(_docstring(f"Values the spec lists for {model_name}.{prop.name}.", ""))
            lines.append("")
    return lines


def _field_lines(model: ModelSpec, prop: PropertySpec, models: dict[str, ModelSpec]) -> list[str]:
    open_reason = OPEN_ENUMS.get((model.name, prop.name))
    if prop.allowable_values and open_reason is None:
        annotation = enum_alias_name(model.name, prop.name)
    else:
        annotation = _python_type(prop.swagger_type, models)
    name = _field_name(prop.name)
    if not prop.required:
        annotation += " | None"
    defaults: list[str] = []
    if name != prop.name:
        defaults.append(f'alias="{prop.name}"')
    if not prop.required:
        defaults.append("default=None")
    if name != prop.name:
        value = f" = Field({', '.join(defaults)})"
    elif not prop.required:
        value = " = None"
    else:
        value = ""
    description = prop.description
    if open_reason is not None:
        known = enum_alias_name(model.name, prop.name)
        description = f"{description} Known values: {known}; open set ({open_reason}).".strip()
    return [f"{INDENT}{name}: {annotation}{value}", *_docstring(description, INDENT)]


def _class_lines(
    model: ModelSpec,
    models: dict[str, ModelSpec],
    parents: dict[str, str],
    event_types: set[str],
) -> list[str]:
    base = parents.get(model.name, "AriModel")
    lines = [f"class {model.name}({base}):"]
    lines.extend(_docstring(model.description or f"ARI model {model.name}.", INDENT))
    body: list[str] = []
    if model.name in event_types:
        # Narrowing the discriminator lets a type checker tell events apart after isinstance().
        body.append(f'{INDENT}type: Literal["{model.name}"] = "{model.name}"')
    for prop in model.properties:
        body.extend(_field_lines(model, prop, models))
    if body:
        lines.append("")
        lines.extend(body)
    return lines


def _descendants(root: str, parents: dict[str, str]) -> set[str]:
    found: set[str] = set()
    frontier = {root}
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier}
        frontier = children - found
        found |= children
    return found


def _registry(name: str, annotation: str, members: Iterable[str]) -> list[str]:
    entries = [f'{INDENT}"{member}": {member},' for member in sorted(members)]
    return [f"{name}: {annotation} = {{", *entries, "}", ""]


def render(models: dict[str, ModelSpec], parents: dict[str, str]) -> str:
    """The full text of models.py for these models."""
    if "Event" not in models or "Message" not in models:
        raise SpecError("the spec lacks the Message/Event base models (events.json missing?)")
    event_types = _descendants("Event", parents)
    lines = [
        '"""Pydantic models for the Asterisk REST Interface, generated from its api-docs.',
        "",
        "Do not edit: run ``python -m cti.ari.codegen`` after a spec change; CI runs ``--check``.",
        '"""',
        "",
        "from typing import Any, Literal",
        "",
        "from pydantic import BaseModel, ConfigDict, Field",
        "",
        "from cti.ari.dates import AriDate",
        "",
    ]
    lines.extend(_enum_aliases(models))
    lines.extend(
        [
            "",
            "class AriModel(BaseModel):",
            '    """Base of every ARI model: unknown fields are kept, never rejected."""',
            "",
            "    model_config = ConfigDict(",
            '        extra="allow",',
            "        validate_by_name=True,",
            "        validate_by_alias=True,",
            "        serialize_by_alias=True,",
            "        use_attribute_docstrings=True,",
            "    )",
            "",
        ]
    )
    for name in _dependency_order(models, parents):
        lines.append("")
        lines.extend(_class_lines(models[name], models, parents, event_types))
        lines.append("")
    lines.append("")
    lines.extend(_registry("EVENT_TYPES", "dict[str, type[Event]]", event_types))
    lines.extend(_registry("MODEL_TYPES", "dict[str, type[AriModel]]", models))
    while lines and lines[-1] == "":
        lines.pop()
    # ``Field`` is only needed for aliased properties; keep the import list honest for ruff.
    text = "\n".join(lines) + "\n"
    if "Field(" not in text:
        text = text.replace("ConfigDict, Field", "ConfigDict")
    return text


def generate(spec: dict[str, Any]) -> str:
    """models.py for a compact spec (see :mod:`cti.ari.apispec`)."""
    models, parents = load_spec(apispec.documents(spec))
    return render(models, parents)


def drift_summary(current: str, expected: str, path: Path, max_lines: int = 40) -> str:
    diff = list(
        difflib.unified_diff(
            current.splitlines(),
            expected.splitlines(),
            fromfile=f"{path} (committed)",
            tofile=f"{path} (from spec)",
            lineterm="",
        )
    )
    changed = sum(1 for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---")))
    shown = diff[:max_lines]
    more = [f"... {len(diff) - max_lines} more diff lines"] if len(diff) > max_lines else []
    return "\n".join([f"{changed} line(s) differ:", *shown, *more])


def _check(spec_path: Path, output: Path, api_docs: Path | None) -> int:
    """Exit status of the drift check: models.py against the compact spec, and the compact spec
    against Asterisk's api-docs when a copy of them is at hand (a plain clone has none)."""
    status = 0
    spec = apispec.load(spec_path)
    if api_docs is not None and api_docs.is_dir():
        derived = apispec.dumps(apispec.derive(api_docs))
        committed = spec_path.read_text(encoding="utf-8")
        if derived == committed:
            print(f"codegen: {spec_path} matches {api_docs}")
        else:
            print(
                f"codegen: {spec_path} is out of date with {api_docs}; run "
                f"`python -m cti.ari.codegen --derive-spec {api_docs}` and commit the result.",
                file=sys.stderr,
            )
            print(drift_summary(committed, derived, spec_path), file=sys.stderr)
            status = 1
    else:
        print(f"codegen: no api-docs at hand ({api_docs}); checked models.py against {spec_path}")
    expected = generate(spec)
    current = output.read_text(encoding="utf-8") if output.exists() else ""
    if current == expected:
        print(f"codegen: {output} matches {spec_path}")
        return status
    print(
        f"codegen: {output} is out of date with {spec_path}; "
        "run `python -m cti.ari.codegen` and commit the result.",
        file=sys.stderr,
    )
    print(drift_summary(current, expected, output), file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cti.ari.codegen", description=__doc__)
    parser.add_argument(
        "--spec",
        type=Path,
        default=apispec.COMPACT_SPEC,
        help="compact spec to generate from (default: the committed one)",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="models.py to write")
    parser.add_argument(
        "--derive-spec",
        type=Path,
        metavar="API_DOCS_DIR",
        help="first rewrite the compact spec from this Asterisk api-docs folder",
    )
    parser.add_argument(
        "--api-docs",
        type=Path,
        default=None,
        help="api-docs folder the --check compares the compact spec with "
        f"(default: ${SPEC_ENV_VAR} or ../shared/ari/api-docs when present)",
    )
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if anything is out of date"
    )
    args = parser.parse_args(argv)
    spec_path: Path = args.spec
    output: Path = args.output
    try:
        if args.check:
            return _check(spec_path, output, args.api_docs or default_spec_dir())
        if args.derive_spec is not None:
            spec_path.write_text(apispec.dumps(apispec.derive(args.derive_spec)), encoding="utf-8")
            print(f"codegen: wrote {spec_path} from {args.derive_spec}")
        output.write_text(generate(apispec.load(spec_path)), encoding="utf-8")
    except (SpecError, apispec.CompactSpecError) as error:
        print(f"codegen: {error}", file=sys.stderr)
        return 2
    print(f"codegen: wrote {output} from {spec_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
