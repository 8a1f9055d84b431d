"""Device states: `Stasis:` devices the app controls and `Local/...` states that follow calls."""

from __future__ import annotations

from cti.emulator.errors import AriError
from cti.emulator.model import Channel, Json
from cti.emulator.state import CoreState

DEVICE_STATES = frozenset(
    {"NOT_INUSE", "INUSE", "BUSY", "INVALID", "UNAVAILABLE", "RINGING", "RINGINUSE", "ONHOLD"}
)


class DeviceOps(CoreState):
    def list_device_states(self) -> list[Json]:
        return [{"name": name, "state": state} for name, state in self.device_states.items()]

    def get_device_state(self, name: str) -> Json:
        self._require_stasis_device(name)
        return {"name": name, "state": self.device_states.get(name, "UNKNOWN")}

    def set_device_state(self, name: str, state: str | None) -> None:
        self._require_stasis_device(name)
        if not state:
            raise AriError(400, "Missing parameter deviceState")
        if state not in DEVICE_STATES:
            raise AriError(500, "Unknown device")  # sic: what Asterisk 22 answers (gotcha 16)
        self.device_states[name] = state
        self.emit_device_state(name, state)

    def delete_device_state(self, name: str) -> None:
        self._require_stasis_device(name)
        if name not in self.device_states:
            raise AriError(404, "Device not found")
        del self.device_states[name]

    @staticmethod
    def _require_stasis_device(name: str) -> None:
        if not name.startswith("Stasis:"):
            raise AriError(409, "Cannot modify device state of non-Stasis device")

    def local_device_changed(self, channel: Channel, state: str) -> None:
        if channel.kind not in ("local1", "local2") or channel.device_name is None:
            return
        # Asterisk publishes Local device states twice on every change (gotcha 15).
        repeats = 1 if state == "INUSE" and not channel.answered else 2
        for _ in range(repeats):
            self.emit_device_state(channel.device_name, state)
