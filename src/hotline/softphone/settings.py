"""Softphone settings: which adapter the desk uses, and where each site's WebRTC agents register.

Environment example (nested with ``__``)::

    HOTLINE_SOFTPHONE__MODE=sip
    HOTLINE_SOFTPHONE__SITES='{"hz": {"ws_url": "wss://pbx-hz.example:8089/ws",
                                      "sip_domain": "pbx-hz.example"}}'
    HOTLINE_SOFTPHONE__ICE_SERVERS='[{"urls": ["stun:stun.intranet.example:3478"]}]'
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

SoftphoneMode = Literal["sip", "emulator", "off"]


class IceServer(BaseModel):
    """One RTCIceServer for the browser (STUN/TURN on the intranet; empty on one LAN)."""

    urls: list[str] = Field(min_length=1)
    username: str | None = None
    credential: SecretStr | None = None

    @field_validator("urls")
    @classmethod
    def _ice_schemes(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("stun:", "stuns:", "turn:", "turns:")):
                raise ValueError(f"{url!r}: an ICE server URL starts with stun:, stuns:, turn:")
        return value


class SoftphoneSite(BaseModel):
    """Where the agents of one site (by site code) register their browser softphone."""

    ws_url: str = Field(description="Asterisk's SIP-over-WebSocket URL, e.g. wss://pbx:8089/ws")
    sip_domain: str = Field(min_length=1, description="host part of the agents' SIP URIs")

    @field_validator("ws_url")
    @classmethod
    def _websocket_url(cls, value: str) -> str:
        if not value.startswith(("wss://", "ws://")):
            raise ValueError("must start with wss:// (or ws:// on loopback)")
        return value


class SoftphoneSettings(BaseModel):
    """``mode`` is the service's choice for every desk: ``sip`` (JsSIP to Asterisk), ``emulator``
    (the demo: the ARI emulator's phone rings in the page) or ``off`` (desk SIP phones only).
    In ``sip`` mode an agent whose endpoint has no softphone account uses a desk phone."""

    mode: SoftphoneMode = "sip"
    sites: dict[str, SoftphoneSite] = Field(default_factory=dict)
    ice_servers: list[IceServer] = Field(default_factory=list)
