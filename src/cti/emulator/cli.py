"""Command line of the standalone emulator (`python -m cti.emulator`, `hotline emulator`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from cti.emulator.server import run_emulator
from cti.emulator.state import LabConfig


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cti.emulator",
        description="Emulated Asterisk 22 ARI (REST + events websocket) on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--user", default="hotline")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--speed", type=float, default=1.0, help="emulated seconds per second")
    parser.add_argument(
        "--race",
        default="events_first",
        help="events_first | response_first | random(SEED)",
    )
    parser.add_argument("--system-name", default="hotline-lab")
    parser.add_argument(
        "--prompts",
        default=",".join(LabConfig.prompt_languages),
        metavar="LANGS",
        help="languages with the hotline prompt set installed, comma-separated; '' = stock",
    )
    parser.add_argument(
        "--absent",
        default="",
        metavar="FILES",
        help="prompt files taken out of the installed set, comma-separated "
        "<lang>/<sound id>, e.g. ko/hotline/goodbye (to try `hotline config check-sounds`)",
    )
    parser.add_argument(
        "--validate",
        metavar="SPEC",
        help="check every event and response against this ARI spec: the compact spec file "
        "(src/cti/ari/apispec.json) or an api-docs folder (debug)",
    )
    return parser


def prompt_languages(text: str) -> tuple[str, ...]:
    """``zh,en`` -> ("zh", "en"); an empty text is a stock Asterisk (no hotline prompts)."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def lab_config(args: argparse.Namespace) -> LabConfig:
    return LabConfig(
        system_name=args.system_name,
        users={args.user: (args.password, False)},
        api_docs=args.validate,
        prompt_languages=prompt_languages(args.prompts),
        absent_sounds=prompt_languages(args.absent),
    )


async def _serve(args: argparse.Namespace) -> None:
    config = lab_config(args)
    async with run_emulator(
        host=args.host, port=args.port, speed=args.speed, race=args.race, config=config
    ) as running:
        sys.stderr.write(f"ARI emulator listening on {running.ari_url} (speed {args.speed:g})\n")
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        return 0
    return 0
