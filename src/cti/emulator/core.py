"""The emulated Asterisk: every role mixed into one object, plus subscriptions and scripting."""

from __future__ import annotations

from cti.emulator.apps import Audience
from cti.emulator.bridges import BridgeOps
from cti.emulator.catalogue import asterisk_info
from cti.emulator.channels import ChannelOps, parse_endpoint
from cti.emulator.clock import Scheduler, format_timestamp
from cti.emulator.devices import DeviceOps
from cti.emulator.dialplan import ProgramFactory
from cti.emulator.errors import AriError, not_found
from cti.emulator.media import MediaOps
from cti.emulator.model import Json
from cti.emulator.scripts import AgentScript, TaxpayerPhone, TaxpayerScript
from cti.emulator.state import LabConfig


class Asterisk(ChannelOps, BridgeOps, MediaOps, DeviceOps):
    """State and behaviour of one Asterisk 22 server as seen over ARI (no I/O here)."""

    def __init__(self, scheduler: Scheduler, config: LabConfig | None = None) -> None:
        super().__init__(scheduler, config)
        self.endpoints: dict[str, ProgramFactory | None] = {}
        self.endpoint_scripts: dict[str, AgentScript] = {}

    # ------------------------------------------------------------------ scripting
    def add_endpoint(self, endpoint: str, script: AgentScript) -> None:
        """Register an agent device, e.g. `PJSIP/agent1001` or `Local/3001@agents`."""
        parsed = parse_endpoint(endpoint)
        self.endpoint_scripts[endpoint] = script
        if parsed.technology == "Local":
            self.dialplan.register(parsed.context, parsed.exten, script.program())
        else:
            self.endpoints[endpoint] = script.program() if script.reachable else None

    def remove_endpoint(self, endpoint: str) -> None:
        if endpoint not in self.endpoint_scripts:
            raise AriError(404, "Endpoint not found")
        del self.endpoint_scripts[endpoint]
        parsed = parse_endpoint(endpoint)
        if parsed.technology == "Local":
            self.dialplan.unregister(parsed.context, parsed.exten)
        else:
            self.endpoints.pop(endpoint, None)

    def place_call(self, script: TaxpayerScript) -> Json:
        """A trunk call: the `;2` half enters Stasis(hotline) in state Ring like the lab's calls."""
        caller = f'"{script.caller_name}" <{script.caller_number}>'
        snapshot = self.originate(
            {
                "endpoint": f"Local/{script.dialled}@inbound",
                "extension": "phone",
                "context": "taxpayer",
                "callerId": caller,
                "timeout": f"{script.ring_timeout_s:g}",
            },
            {},
        )
        phone = self.channels[snapshot["id"]]
        assert phone.peer is not None
        taxpayer = TaxpayerPhone(self, script, phone)
        phone.originate_after_answer = None
        phone.after_answer_program = taxpayer.program
        # The phone's programme and the observer hold the taxpayer while the call lasts; nothing
        # else may (a registry of every caller ever placed grew by a call's worth per call).
        self.observers[phone.peer.id] = taxpayer.observe
        return {"phone_channel_id": phone.id, "channel_id": phone.peer.id}

    def hang_up_taxpayer(self, phone_channel_id: str) -> None:
        phone = self.channel(phone_channel_id)
        self.device_hangup(phone, 16)

    # ------------------------------------------------------------------ asterisk resource
    def info(self) -> Json:
        cfg = self.config
        return asterisk_info(cfg.system_name, cfg.entity_id, cfg.version, self.startup_time)

    def ping(self) -> Json:
        return {
            "ping": "pong",
            "timestamp": format_timestamp(self.scheduler.now()),
            "asterisk_id": self.config.entity_id,
        }

    def get_global(self, variable: str | None) -> Json:
        if not variable:
            raise AriError(400, "Variable name is required")
        if variable == "EPOCH":
            return {"value": str(int(self.scheduler.now()))}
        return {"value": self.global_vars.get(variable, "")}

    def set_global(self, variable: str | None, value: str) -> None:
        if not variable:
            raise AriError(400, "Variable name is required")
        self.global_vars[variable] = value

    # ------------------------------------------------------------------ applications
    def application(self, name: str) -> Json:
        app = self.apps.apps.get(name)
        if app is None:
            raise AriError(404, "Application not found")
        return app.to_json()

    def list_applications(self) -> list[Json]:
        return [app.to_json() for app in self.apps.apps.values()]

    def subscribe(self, name: str, event_source: str | None) -> Json:
        app = self.apps.apps.get(name)
        if app is None:
            raise AriError(404, "Application not found")
        if not event_source:
            raise AriError(400, "Missing parameter eventSource")
        sources = [s for s in event_source.split(",") if s]
        for source in sources:  # validate everything before changing anything
            self._check_source(source)
        for source in sources:
            scheme, _, target = source.partition(":")
            if scheme == "channel":
                app.explicit_channels.add(target)
            elif scheme == "bridge":
                app.explicit_bridges.add(target)
            elif scheme == "deviceState" and target not in app.device_names:
                app.device_names.append(target)
        return app.to_json()

    def _check_source(self, source: str) -> None:
        scheme, _, target = source.partition(":")
        exists = (
            (scheme == "channel" and target in self.channels)
            or (scheme == "bridge" and target in self.bridges)
            or (scheme == "endpoint" and target in self.endpoint_scripts)
            or (scheme == "deviceState" and bool(target))
        )
        if not exists:
            raise AriError(422, "Event source does not exist")

    def unsubscribe(self, name: str, event_source: str | None) -> Json:
        app = self.apps.apps.get(name)
        if app is None:
            raise AriError(404, "Application not found")
        if not event_source:
            raise AriError(400, "Missing parameter eventSource")
        sources = [s for s in event_source.split(",") if s]
        for source in sources:
            scheme, _, target = source.partition(":")
            subscribed = (
                (scheme == "channel" and target in app.explicit_channels)
                or (scheme == "bridge" and target in app.explicit_bridges)
                or (scheme == "deviceState" and target in app.device_names)
            )
            if not subscribed:
                raise AriError(422, "Event source was not subscribed to")
        for source in sources:
            scheme, _, target = source.partition(":")
            if scheme == "channel":
                app.explicit_channels.discard(target)
            elif scheme == "bridge":
                app.explicit_bridges.discard(target)
            else:
                app.device_names.remove(target)
        return app.to_json()

    def user_event(self, event_name: str, params: dict[str, str], variables: Json) -> None:
        app = params.get("application")
        if not app:
            raise AriError(400, "Missing parameter application")
        if app not in self.apps.apps:
            raise AriError(404, "Application not found")
        fields: Json = {
            "eventname": event_name,
            "userevent": {**{k: str(v) for k, v in variables.items()}, "eventname": event_name},
        }
        for source in [s for s in (params.get("source") or "").split(",") if s]:
            scheme, _, target = source.partition(":")
            if scheme == "channel":
                channel = self.channels.get(target)
                if channel is None:
                    raise AriError(422, "Event source not found")
                fields["channel"] = channel.to_json()
            elif scheme == "bridge":
                bridge = self.bridges.get(target)
                if bridge is None:
                    raise AriError(422, "Event source not found")
                fields["bridge"] = bridge.to_json()
        event_type = "ChannelUserevent"
        self.emit(event_type, fields, Audience(only_app=app))

    # ------------------------------------------------------------------ endpoints
    def list_endpoints(self, technology: str | None = None) -> list[Json]:
        found: list[Json] = []
        for endpoint, script in self.endpoint_scripts.items():
            tech, _, resource = endpoint.partition("/")
            if tech == "Local" or (technology is not None and tech != technology):
                continue
            channel_ids = [
                c.id for c in self.channels.values() if c.name.startswith(f"{endpoint}-")
            ]
            found.append(
                {
                    "technology": tech,
                    "resource": resource,
                    "state": "online" if script.reachable else "offline",
                    "channel_ids": channel_ids,
                }
            )
        if technology is not None and not found:
            raise AriError(404, f"No Endpoints found - invalid tech {technology}")
        return found

    def endpoint(self, technology: str, resource: str) -> Json:
        for item in self.list_endpoints(technology):
            if item["resource"] == resource:
                return item
        raise not_found("Endpoint")

    # ------------------------------------------------------------------ inspection
    def state_summary(self) -> Json:
        return {
            "channels": self.list_channels(),
            "bridges": self.list_bridges(),
            "applications": [
                {**app.to_json(), "connected": app.sink is not None}
                for app in self.apps.apps.values()
            ],
            "endpoints": sorted(self.endpoint_scripts),
            "device_states": self.list_device_states(),
            "dropped_events": len(self.apps.dropped),
        }
