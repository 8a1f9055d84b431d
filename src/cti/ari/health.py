"""Health of one site's ARI event stream, as shown by ``/readyz`` and the metrics."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass
class SiteHealth:
    """Counters and state of one site's event stream; mutated only by its :class:`EventStream`.

    ``connected`` becomes true only after the resync hook succeeded on a fresh connection, so a
    site that is reachable but not yet reconciled does not count as ready.
    """

    site: str
    connected: bool = False
    since: datetime | None = None
    """When ``connected`` last changed."""
    last_error: str | None = None
    reconnects: int = 0
    """Successful connections after the first one."""
    events_received: int = 0
    events_malformed: int = 0
    events_unknown: int = 0
    handler_errors: int = 0
    fallback_calls: int = 0
    """Calls the dialplan's fallback took while the link was down (``cti.ari.fallback``),
    counted at each reconnect since this process started."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view (datetimes as ISO 8601 strings)."""
        data = asdict(self)
        data["since"] = self.since.isoformat() if self.since else None
        return data


__all__ = ["SiteHealth"]
