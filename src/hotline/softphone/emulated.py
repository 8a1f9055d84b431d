"""The demo's softphone: the agent's page drives the ARI emulator's phone for their endpoint.

The page never holds ARI credentials: it asks the service, which checks who the agent is and
forwards to the emulator's `/_emulator/phones` control API of the agent's site.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from hotline.errors import ConflictError, NotFoundError, ServiceUnavailableError


@dataclass(frozen=True)
class EmulatedPhone:
    """The emulator phone of one agent endpoint, reached with the site's ARI credentials."""

    ari_url: str
    username: str
    password: str
    endpoint: str

    @property
    def _base(self) -> str:
        # The control API sits beside /ari on the emulator's server.
        return self.ari_url.rstrip("/").removesuffix("/ari")

    def _url(self, action: str = "") -> str:
        path = f"/_emulator/phones/{quote(self.endpoint, safe='/@')}"
        return self._base + path + (f"/{action}" if action else "")

    def _client(self, timeout: float | None = 5.0) -> httpx.AsyncClient:
        return httpx.AsyncClient(auth=(self.username, self.password), timeout=timeout)

    async def register(self) -> None:
        """Make the endpoint a person's phone (idempotent)."""
        async with self._client() as client:
            response = await _call(
                client, "POST", self._base + "/_emulator/phones", json={"endpoint": self.endpoint}
            )
        _raise_for(response)

    async def act(self, action: str) -> None:
        """`answer` or `hangup`; a 409 (not ringing, no call) comes back as a ConflictError."""
        async with self._client() as client:
            response = await _call(client, "POST", self._url(action))
        _raise_for(response)

    async def events(self) -> AsyncIterator[bytes]:
        """The emulator's server-sent events for this phone, relayed byte for byte."""
        async with self._client(timeout=None) as client:
            try:
                async with client.stream("GET", self._url("events")) as response:
                    if response.status_code != 200:
                        await response.aread()
                        _raise_for(response)
                    async for chunk in response.aiter_raw():
                        yield chunk
            except httpx.TransportError as error:
                raise ServiceUnavailableError(f"the emulator is unreachable: {error}") from None


async def _call(
    client: httpx.AsyncClient, method: str, url: str, json: object = None
) -> httpx.Response:
    try:
        return await client.request(method, url, json=json)
    except httpx.TransportError as error:
        raise ServiceUnavailableError(f"the emulator is unreachable: {error}") from None


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        message = str(response.json().get("message", response.text))
    except ValueError:
        message = response.text
    if response.status_code == 409:
        raise ConflictError(message)
    if response.status_code == 404:
        raise NotFoundError(message)
    raise ServiceUnavailableError(f"the emulator answered {response.status_code}: {message}")
