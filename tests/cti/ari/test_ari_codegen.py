"""The committed models are exactly what the compact spec generates, the compact spec is what
Asterisk's api-docs derive to, and drift in either is caught."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from cti.ari import apispec, codegen, models
from cti.ari.dates import format_ari_date

from .ari_traces import SPEC

MODELS_PY = Path(codegen.__file__).with_name("models.py")


def spec() -> dict[str, Any]:
    return apispec.load(SPEC)


def no_api_docs(tmp_path: Path) -> list[str]:
    """Arguments that make --check behave as in a clone with nothing beside it."""
    return ["--api-docs", str(tmp_path / "no-api-docs")]


def test_committed_models_equal_a_fresh_generation() -> None:
    assert MODELS_PY.read_text(encoding="utf-8") == codegen.generate(spec())


def test_check_passes_on_the_committed_models_without_api_docs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert codegen.main(["--check", *no_api_docs(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "no api-docs at hand" in out
    assert "models.py matches" in out


def test_check_fails_with_a_diff_summary_on_a_tampered_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = tmp_path / "models.py"
    text = MODELS_PY.read_text(encoding="utf-8")
    tampered.write_text(text.replace("    args: list[str]\n", "    args: list[int]\n", 1))
    assert codegen.main(["--check", *no_api_docs(tmp_path), "--output", str(tampered)]) == 1
    err = capsys.readouterr().err
    assert "out of date" in err
    assert "2 line(s) differ" in err
    assert "-    args: list[int]" in err
    assert "+    args: list[str]" in err


def test_check_fails_when_the_models_file_is_missing(tmp_path: Path) -> None:
    missing = tmp_path / "models.py"
    assert codegen.main(["--check", *no_api_docs(tmp_path), "--output", str(missing)]) == 1


def test_check_fails_loudly_without_a_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert codegen.main(["--check", "--spec", str(tmp_path / "absent.json")]) == 2
    assert "compact ARI spec" in capsys.readouterr().err


def test_api_docs_dir_comes_from_the_environment_when_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(codegen.SPEC_ENV_VAR, str(tmp_path))
    assert codegen.default_spec_dir() == tmp_path
    monkeypatch.delenv(codegen.SPEC_ENV_VAR)
    assert codegen.default_spec_dir() == codegen.shared_ari_dir() / "api-docs"


def test_write_mode_writes_what_check_expects(tmp_path: Path) -> None:
    output = tmp_path / "models.py"
    assert codegen.main(["--output", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == MODELS_PY.read_text(encoding="utf-8")


def test_a_spec_change_changes_the_output() -> None:
    changed = spec()
    channel = changed["resources"]["channels"]["models"]["Channel"]
    channel["properties"]["queue_hint"] = {"type": "int", "required": False}
    generated = codegen.generate(changed)
    assert "    queue_hint: int | None = None\n" in generated
    assert generated != MODELS_PY.read_text(encoding="utf-8")


def test_generation_is_deterministic() -> None:
    assert codegen.generate(spec()) == codegen.generate(spec())


def test_generated_file_is_ruff_formatted() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--diff", str(MODELS_PY)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_spec_model_is_generated() -> None:
    spec_models = set()
    for _, document in apispec.documents(spec()):
        spec_models |= set(document["models"])
    assert len(spec_models) > 50
    assert set(models.MODEL_TYPES) == spec_models


def test_inheritance_follows_subtypes() -> None:
    events = spec()["resources"]["events"]["models"]
    assert issubclass(models.Event, models.Message)
    assert issubclass(models.MissingParams, models.Message)
    assert not issubclass(models.MissingParams, models.Event)
    assert set(models.EVENT_TYPES) == set(events["Event"]["subTypes"])
    for name, event_type in models.EVENT_TYPES.items():
        assert issubclass(event_type, models.Event)
        assert event_type.model_fields["type"].default == name


# ---------------------------------------------------------------- deriving the compact spec


def write_api_docs(folder: Path, *, extra_property: bool = False) -> Path:
    """A tiny Swagger 1.1 api-docs folder in Asterisk's shape, prose included."""
    folder.mkdir()
    (folder / "resources.json").write_text(json.dumps({"apiVersion": "9.9.9", "apis": []}))
    properties: dict[str, Any] = {
        "type": {"type": "string", "required": True, "description": "Indicates the type."},
    }
    if extra_property:
        properties["hint"] = {"type": "int", "description": "New in a later Asterisk."}
    events = {
        "_copyright": "someone",
        "apiVersion": "9.9.9",
        "resourcePath": "/api-docs/events.{format}",
        "apis": [
            {
                "path": "/events/user/{eventName}",
                "description": "Prose about user events.",
                "operations": [
                    {
                        "httpMethod": "POST",
                        "summary": "Prose summary.",
                        "notes": "Prose notes.",
                        "nickname": "userEvent",
                        "responseClass": "void",
                        "parameters": [
                            {
                                "name": "eventName",
                                "description": "Prose.",
                                "paramType": "path",
                                "required": True,
                                "allowMultiple": False,
                                "dataType": "string",
                            }
                        ],
                        "errorResponses": [
                            {"code": 404, "reason": "Prose reason."},
                            {"code": 400, "reason": "More prose."},
                        ],
                    }
                ],
            }
        ],
        "models": {
            "Message": {
                "id": "Message",
                "description": "Prose about messages.",
                "discriminator": "type",
                "subTypes": ["Event"],
                "properties": properties,
            },
            "Event": {"id": "Event", "subTypes": ["Ping"], "properties": {}},
            "Ping": {
                "id": "Ping",
                "properties": {
                    "state": {
                        "type": "string",
                        "allowableValues": {"valueType": "LIST", "values": ["a", "b"]},
                    }
                },
            },
        },
    }
    (folder / "events.json").write_text(json.dumps(events))
    return folder


def test_derive_keeps_the_facts_and_drops_the_prose(tmp_path: Path) -> None:
    derived = apispec.derive(write_api_docs(tmp_path / "api-docs"))
    text = apispec.dumps(derived)
    assert "rose" not in text  # no description, summary, notes or reason survived
    assert "someone" not in text
    assert derived["apiVersion"] == "9.9.9"
    operation = derived["resources"]["events"]["apis"][0]["operations"][0]
    assert operation == {
        "httpMethod": "POST",
        "nickname": "userEvent",
        "responseClass": "void",
        "parameters": [
            {
                "name": "eventName",
                "paramType": "path",
                "required": True,
                "allowMultiple": False,
                "dataType": "string",
            }
        ],
        "errorCodes": [400, 404],
    }
    ping = derived["resources"]["events"]["models"]["Ping"]
    assert ping["properties"]["state"]["allowableValues"]["values"] == ["a", "b"]
    assert derived["resources"]["events"]["models"]["Message"]["subTypes"] == ["Event"]


def test_derive_spec_rewrites_the_spec_and_the_models(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = write_api_docs(tmp_path / "api-docs")
    spec_file, output = tmp_path / "apispec.json", tmp_path / "models.py"
    arguments = ["--spec", str(spec_file), "--output", str(output)]
    assert codegen.main([*arguments, "--derive-spec", str(docs)]) == 0
    assert spec_file.read_text(encoding="utf-8") == apispec.dumps(apispec.derive(docs))
    assert "class Ping(Event):" in output.read_text(encoding="utf-8")
    assert codegen.main(["--check", *arguments, "--api-docs", str(docs)]) == 0
    assert f"{spec_file} matches {docs}" in capsys.readouterr().out


def test_check_catches_a_compact_spec_that_lags_the_api_docs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write_api_docs(tmp_path / "old")
    new = write_api_docs(tmp_path / "new", extra_property=True)
    spec_file, output = tmp_path / "apispec.json", tmp_path / "models.py"
    arguments = ["--spec", str(spec_file), "--output", str(output)]
    assert codegen.main([*arguments, "--derive-spec", str(old)]) == 0
    assert codegen.main(["--check", *arguments, "--api-docs", str(new)]) == 1
    err = capsys.readouterr().err
    assert "out of date" in err
    assert f"--derive-spec {new}" in err
    assert '"hint"' in err


def test_derive_fails_loudly_on_an_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_file = tmp_path / "apispec.json"
    assert codegen.main(["--spec", str(spec_file), "--derive-spec", str(tmp_path)]) == 2
    assert "no ARI api-docs found" in capsys.readouterr().err
    assert not spec_file.exists()


def test_committed_spec_is_what_asterisks_api_docs_derive_to() -> None:
    api_docs = codegen.default_spec_dir()
    if not api_docs.is_dir():
        pytest.skip(f"Asterisk's api-docs are not beside this clone ({api_docs})")
    assert apispec.dumps(apispec.derive(api_docs)) == SPEC.read_text(encoding="utf-8")


def test_optional_and_required_follow_the_spec() -> None:
    fields = models.ChannelHangupRequest.model_fields
    assert fields["channel"].is_required()
    assert not fields["cause"].is_required()  # "required" absent in the spec means optional
    assert not fields["soft"].is_required()


def test_unknown_fields_are_kept() -> None:
    playback = models.Playback.model_validate(
        {"id": "p", "media_uri": "sound:x", "target_uri": "channel:c", "state": "paused", "x": 1}
    )
    assert playback.model_extra == {"x": 1}
    assert playback.state == "paused"  # open enum: a value outside the spec list is accepted


def test_closed_enums_reject_values_outside_the_list() -> None:
    with pytest.raises(ValueError, match=r"Input should be"):
        models.DeviceState.model_validate({"name": "Stasis:a", "state": "SLEEPING"})


def test_python_keyword_properties_use_an_alias() -> None:
    message = models.TextMessage.model_validate({"from": "pjsip:a", "to": "pjsip:b", "body": "hi"})
    assert message.from_ == "pjsip:a"
    assert message.model_dump()["from"] == "pjsip:a"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-22T05:32:06.878+0000", datetime(2026, 11, 22, 5, 32, 6, 878000, tzinfo=UTC)),
        (
            "2026-11-22T13:32:06.001+0800",
            datetime(2026, 11, 22, 13, 32, 6, 1000, tzinfo=timezone(timedelta(hours=8))),
        ),
    ],
)
def test_ari_dates_round_trip(text: str, expected: datetime) -> None:
    info = models.StatusInfo.model_validate({"startup_time": text, "last_reload_time": text})
    assert info.startup_time == expected
    assert format_ari_date(info.startup_time) == text
    assert info.model_dump(mode="json")["last_reload_time"] == text


def test_naive_dates_are_rejected() -> None:
    with pytest.raises(ValueError, match="offset"):
        models.StatusInfo.model_validate(
            {"startup_time": "2026-11-22T05:32:06.878", "last_reload_time": "2026-11-22T05:32:06"}
        )
