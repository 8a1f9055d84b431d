"""``hotline sounds build``: speak the prompt table with espeak-ng, convert with sox.

The recordings are generated rather than committed: about 1,000 small binary files that any
change of wording would rewrite, made in a minute from the table with two Debian packages
(``espeak-ng``, ``sox``). A manifest of what each file was made from makes a rebuild redo only
the prompts whose text or voice changed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cti.sounds import DIRECTORY, FORMATS, PromptSet, Utterance

MANIFEST = "hotline-sounds.json"
TOOLS = ("espeak-ng", "sox")

# sox output options per Asterisk format. `.sln16` is Asterisk's 16 kHz signed linear (its
# 8 kHz sibling is `.sln`); the others are 8 kHz, the telephone rate Asterisk plays at.
_SOX_OUTPUT: dict[str, tuple[str, ...]] = {
    "wav": ("-t", "wav", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer"),
    "sln16": ("-t", "raw", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer"),
    "alaw": ("-t", "al", "-r", "8000", "-c", "1"),
    "gsm": ("-t", "gsm", "-r", "8000", "-c", "1"),
}


class SoundToolError(RuntimeError):
    """espeak-ng or sox is missing or failed; the message says which and how to fix it."""

    def __init__(self, english: str, key: str, **params: object) -> None:
        super().__init__(english)
        self.key = key  # the command line words it as ``sounds.cli.<key>`` with ``params``
        self.params = params


@dataclass
class BuildReport:
    made: list[str] = field(default_factory=list)  # "<lang>/hotline/<name>"
    kept: list[str] = field(default_factory=list)  # up to date, not remade
    files: int = 0


def check_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise SoundToolError(
            f"{' and '.join(missing)} not found: install the Debian packages "
            "(apt-get install espeak-ng sox libsox-fmt-base)",
            "tools_missing",
            tools=", ".join(missing),
        )


def _fingerprint(utterance: Utterance, voice: str) -> str:
    recipe = json.dumps([utterance.text, voice, FORMATS, _SOX_OUTPUT], ensure_ascii=False)
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def _run(command: list[str], stdin: bytes | None = None) -> None:
    result = subprocess.run(command, input=stdin, capture_output=True, check=False)
    if result.returncode != 0:
        problem = result.stderr.decode(errors="replace").strip() or f"exit {result.returncode}"
        # The tool's own account of what went wrong stays as it says it.
        raise SoundToolError(
            f"{command[0]} failed: {problem}", "tool_failed", tool=command[0], problem=problem
        )


def _make(target: Path, utterance: Utterance, voice: str) -> None:
    """One prompt in every format: speech to a temporary wav, then one sox run per format."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hotline-sound-") as tmp:
        spoken = Path(tmp) / "spoken.wav"
        # The text goes on stdin: a prompt starting with "-" is never taken for an option.
        _run(["espeak-ng", "-v", voice, "--stdin", "-w", str(spoken)], utterance.text.encode())
        for fmt in FORMATS:
            out = target.with_name(f"{target.name}.{fmt}")
            # Normalise to -3 dBFS so every prompt plays as loud as the others.
            _run(["sox", str(spoken), *_SOX_OUTPUT[fmt], str(out), "gain", "-n", "-3"])


def build(
    prompts: PromptSet,
    out: Path,
    *,
    languages: Iterable[str] | None = None,
    jobs: int = 2,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Make ``out/<lang>/hotline/<name>.<fmt>`` for every prompt (only what changed)."""
    check_tools()
    wanted = set(languages) if languages is not None else set(prompts.languages)
    unknown = sorted(wanted - set(prompts.languages))
    if unknown:
        raise ValueError(f"no prompts for language(s) {', '.join(unknown)}")
    manifest_path = out / MANIFEST
    try:
        manifest: dict[str, str] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        manifest = {}
    report = BuildReport()
    todo: list[tuple[str, Path, Utterance, str]] = []
    for language, name, utterance in prompts.recordings():
        if language not in wanted:
            continue
        key = f"{language}/{DIRECTORY}/{name}"
        voice = prompts.languages[utterance.spoken_in]
        target = out / language / DIRECTORY / name
        report.files += len(FORMATS)
        complete = all(target.with_name(f"{name}.{fmt}").is_file() for fmt in FORMATS)
        if complete and manifest.get(key) == _fingerprint(utterance, voice):
            report.kept.append(key)
            continue
        todo.append((key, target, utterance, voice))

    def make(item: tuple[str, Path, Utterance, str]) -> str:
        key, target, utterance, voice = item
        _make(target, utterance, voice)
        return key

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for key, (_, _, utterance, voice) in zip(pool.map(make, todo), todo, strict=True):
            manifest[key] = _fingerprint(utterance, voice)
            report.made.append(key)
            if progress is not None:
                progress(key)
    out.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(
        json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8"
    )
    return report
