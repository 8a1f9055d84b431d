"""What a demo run is asked to do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_PASSWORD = "hotline-demo"
DEFAULT_ARI_PASSWORD = "hotline-demo-ari"
PASSWORD_ENV = "HOTLINE_DEMO_PASSWORD"
ARI_PASSWORD_ENV = "HOTLINE_DEMO_ARI_PASSWORD"


@dataclass(frozen=True)
class DemoOptions:
    port: int = 8000
    calls_per_minute: float = 6.0
    agents: int = 8
    people: int = 2  # agents whose phone rings until a person answers it on the desktop
    duration_s: float | None = None
    database: Path = Path("hotline-demo.db")
    seed: int | None = None
    example: Path = Path("examples/hangzhou.yaml")
    # The centre's configuration, published at start when the database has no version yet.
    configuration: Path = Path("examples/centre.yaml")
    site: str = "hz"  # the example site that is pointed at the emulator
    speed: float = 1.0  # emulated seconds per real second (tests run the demo faster)
    status_s: float = 30.0  # how often a line of totals is printed
