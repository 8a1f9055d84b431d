"""Recording a call: ARI bridge recording of the call's mixing bridge, read back and deleted.

The service decides which calls are recorded and when (the agent is connected, the talk ended);
this module only knows where the call's audio is mixed (its bridge) and how Asterisk stores a
recording (``/recordings/stored/{name}``, its audio at ``.../file``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from cti.ari.client import AriClient
from cti.calls.model import CallState
from cti.calls.ports import RecordingUnavailable
from cti.errors import AriConflictError, AriError, AriNotFoundError

logger = logging.getLogger(__name__)

RECORDING_FORMAT = "wav"


@dataclass
class SiteRecordings:
    client: AriClient
    call_state: Callable[[str], CallState | None]

    async def start(self, call_id: str, name: str) -> bool:
        """Record the call's bridge (overwriting a stale file of the same name: the names are
        the service's call ids, a leftover can only be from a test database reset)."""
        state = self.call_state(call_id)
        if state is None or state.bridge_id is None or state.finished:
            return False
        await self.client.record_bridge(
            state.bridge_id, name, RECORDING_FORMAT, if_exists="overwrite", beep=False
        )
        return True

    async def stop(self, name: str) -> None:
        # Gone already (the bridge was destroyed, which stops and stores it): nothing to do.
        with contextlib.suppress(AriNotFoundError, AriConflictError):
            await self.client.stop_recording(name)

    async def audio(self, name: str) -> tuple[bytes, str]:
        try:
            return await self.client.stored_recording_file(name)
        except AriNotFoundError as error:
            raise RecordingUnavailable(f"recording {name} is not stored on the PBX") from error
        except AriError as error:
            raise RecordingUnavailable(f"recording {name} could not be read: {error}") from error

    async def delete(self, name: str) -> bool:
        try:
            await self.client.delete_stored_recording(name)
        except AriNotFoundError:
            return False
        return True


__all__ = ["RECORDING_FORMAT", "SiteRecordings"]
