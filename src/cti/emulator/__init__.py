"""A fake Asterisk 22 speaking ARI REST and WebSocket, faithful to the lab recordings.

In-process: `async with run_emulator(port=0, speed=50.0) as emu: emu.ari_url ...`.
Standalone: `python -m cti.emulator --port 8088 --user hotline --password secret`.
"""

from cti.emulator.clock import AsyncioScheduler, ManualScheduler
from cti.emulator.core import Asterisk
from cti.emulator.errors import AriError
from cti.emulator.scripts import AgentScript, TaxpayerScript
from cti.emulator.server import Emulator, RunningEmulator, run_emulator
from cti.emulator.state import LabConfig

__all__ = [
    "AgentScript",
    "AriError",
    "Asterisk",
    "AsyncioScheduler",
    "Emulator",
    "LabConfig",
    "ManualScheduler",
    "RunningEmulator",
    "TaxpayerScript",
    "run_emulator",
]
