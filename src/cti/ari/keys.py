"""Site-qualified identifiers.

Several Asterisk servers (one per city site) feed the same engine, and ARI ids are only unique
within one server (two sites can both have channel ``1795325526.1``). Every id that leaves the ARI
layer is therefore a :class:`SiteKey`: the pair ``(site, id)``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class SiteKey:
    """An ARI id qualified by the site (Asterisk server) it belongs to; hashable and sortable."""

    site: str
    id: str

    def __str__(self) -> str:
        return f"{self.site}/{self.id}"


__all__ = ["SiteKey"]
