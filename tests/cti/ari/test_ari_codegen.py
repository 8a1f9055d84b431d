"""The committed models are exactly what the spec generates, and drift is caught."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from cti.ari import codegen, models
from cti.ari.dates import format_ari_date

from .ari_traces import SPEC_DIR

MODELS_PY = Path(codegen.__file__).with_name("models.py")


def test_committed_models_equal_a_fresh_generation() -> None:
    assert MODELS_PY.read_text(encoding="utf-8") == codegen.generate(SPEC_DIR)


def test_check_passes_on_the_committed_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert codegen.main(["--check", "--spec", str(SPEC_DIR)]) == 0
    assert "matches" in capsys.readouterr().out


def test_check_fails_with_a_diff_summary_on_a_tampered_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = tmp_path / "models.py"
    text = MODELS_PY.read_text(encoding="utf-8")
    tampered.write_text(text.replace("    args: list[str]\n", "    args: list[int]\n", 1))
    assert codegen.main(["--check", "--spec", str(SPEC_DIR), "--output", str(tampered)]) == 1
    err = capsys.readouterr().err
    assert "out of date" in err
    assert "2 line(s) differ" in err
    assert "-    args: list[int]" in err
    assert "+    args: list[str]" in err


def test_check_fails_when_the_models_file_is_missing(tmp_path: Path) -> None:
    missing = tmp_path / "models.py"
    assert codegen.main(["--check", "--spec", str(SPEC_DIR), "--output", str(missing)]) == 1


def test_check_fails_loudly_without_a_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert codegen.main(["--check", "--spec", str(tmp_path / "absent")]) == 2
    assert "no ARI api-docs found" in capsys.readouterr().err


def test_spec_dir_comes_from_the_environment_when_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(codegen.SPEC_ENV_VAR, str(tmp_path))
    assert codegen.default_spec_dir() == tmp_path
    monkeypatch.delenv(codegen.SPEC_ENV_VAR)
    assert codegen.default_spec_dir() == SPEC_DIR


def test_write_mode_writes_what_check_expects(tmp_path: Path) -> None:
    output = tmp_path / "models.py"
    assert codegen.main(["--spec", str(SPEC_DIR), "--output", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == MODELS_PY.read_text(encoding="utf-8")


def test_a_spec_change_changes_the_output(tmp_path: Path) -> None:
    spec = tmp_path / "api-docs"
    shutil.copytree(SPEC_DIR, spec)
    channels = json.loads((spec / "channels.json").read_text(encoding="utf-8"))
    channels["models"]["Channel"]["properties"]["queue_hint"] = {
        "type": "int",
        "required": False,
        "description": "A field a future Asterisk might add.",
    }
    (spec / "channels.json").write_text(json.dumps(channels), encoding="utf-8")
    generated = codegen.generate(spec)
    assert "    queue_hint: int | None = None\n" in generated
    assert generated != MODELS_PY.read_text(encoding="utf-8")


def test_generation_is_deterministic() -> None:
    assert codegen.generate(SPEC_DIR) == codegen.generate(SPEC_DIR)


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
    for path in SPEC_DIR.glob("*.json"):
        spec_models |= set(json.loads(path.read_text(encoding="utf-8")).get("models", {}))
    assert set(models.MODEL_TYPES) == spec_models


def test_inheritance_follows_subtypes() -> None:
    events = json.loads((SPEC_DIR / "events.json").read_text(encoding="utf-8"))["models"]
    assert issubclass(models.Event, models.Message)
    assert issubclass(models.MissingParams, models.Message)
    assert not issubclass(models.MissingParams, models.Event)
    assert set(models.EVENT_TYPES) == set(events["Event"]["subTypes"])
    for name, event_type in models.EVENT_TYPES.items():
        assert issubclass(event_type, models.Event)
        assert event_type.model_fields["type"].default == name


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
