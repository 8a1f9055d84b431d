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

    async def state(self, call_id: str, name: str) -> str | None:
        """Where Asterisk has the recording ``name``: ``live`` while it records (this call's
        bridge, when the call's bridge is known), ``stored`` once a file of that name exists
        (a recording stopped, or one left live on another bridge: it is stopped here, which
        stores it), None when it has neither.

        After a takeover the previous leader's recording of a call in talk is still running
        on Asterisk (a bridge recording outlives the websocket that started it): the new
        leader asks before it records, so it neither fails on the name (409) nor overwrites
        what was recorded before it took over."""
        call = self.call_state(call_id)
        bridge = None if call is None else call.bridge_id
        try:
            live = await self.client.get_live_recording(name)
        except AriNotFoundError:
            live = None
        if live is not None and live.state in ("queued", "recording", "paused"):
            # The name is the call's own: a live one records this call, unless the call has
            # been moved to another bridge since (then it records nothing of the call).
            if bridge is None or live.target_uri == f"bridge:{bridge}":
                return "live"
            await self.stop(name)  # store what it has, and record on in a new segment
            return "stored"
        try:
            await self.client.get_stored_recording(name)
        except AriNotFoundError:
            return None
        return "stored"

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
