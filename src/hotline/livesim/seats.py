"""Seats logging in and out through the service's agent-session API, interval by interval.

Seat ``i`` of a group is logged in during an interval when the group's count for it exceeds ``i``
(the warm-up uses interval 0's). A seat due to leave first goes not ready, so routing offers it
nothing new, and logs out once routing shows it not ready: the call in hand, and its wrap-up,
are finished first, as in the offline model.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from hotline.livesim.centre import SITE, Seat
from simulations.scenario import Scenario

LEAVE_REASON = "break"
Sleep = Callable[[float], Awaitable[None]]  # sleeps emulated seconds


def wanted_seats(scenario: Scenario, seats: list[Seat], interval: int) -> set[str]:
    """Codes of the seats logged in during ``interval`` (0-based; the warm-up uses 0)."""
    index = max(interval, 0)
    return {seat.code for seat in seats if seat.index < scenario.agents[seat.group].count[index]}


class SeatDesk:
    """Each seat's user signs in with its own token, as a real agent's desktop would."""

    def __init__(self, http: httpx.AsyncClient, password: str, sleep: Sleep) -> None:
        self._http = http
        self._password = password
        self._sleep = sleep
        self._tokens: dict[str, str] = {}
        self.logged_in: set[str] = set()
        self.leaving: dict[str, asyncio.Task[None]] = {}

    async def _call(self, seat: Seat, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for _ in range(2):  # a token past its lifetime (emulated hours pass fast): sign in again
            token = self._tokens.get(seat.code) or await self._token(seat)
            headers = {"Authorization": f"Bearer {token}"}
            response = await self._http.request(method, path, headers=headers, **kwargs)
            if response.status_code != 401:
                response.raise_for_status()
                return response
            self._tokens.pop(seat.code, None)
        response.raise_for_status()
        return response

    async def _token(self, seat: Seat) -> str:
        response = await self._http.post(
            "/api/v1/auth/token", data={"username": seat.username, "password": self._password}
        )
        response.raise_for_status()
        token = str(response.json()["access_token"])
        self._tokens[seat.code] = token
        return token

    async def prepare(self, seats: list[Seat]) -> None:
        """Sign every seat's user in before the day starts: a sign-in (a password check) at an
        interval boundary would cost emulated seconds at a speed-up."""
        await asyncio.gather(*(self._token(seat) for seat in seats))

    async def staff(self, seats: list[Seat], wanted: set[str]) -> None:
        """Log in the wanted seats that are out (all at once, as a shift starts), and send the
        others that are in on their way."""
        arriving = []
        for seat in seats:
            if seat.code in wanted:
                leaving = self.leaving.pop(seat.code, None)
                if leaving is not None:  # due back before it had left: stay
                    leaving.cancel()
                    await asyncio.gather(leaving, return_exceptions=True)
                if seat.code not in self.logged_in or leaving is not None:
                    arriving.append(self.sign_in(seat))
            elif seat.code in self.logged_in and seat.code not in self.leaving:
                self.leaving[seat.code] = asyncio.create_task(self.sign_out(seat))
        await asyncio.gather(*arriving)

    async def sign_in(self, seat: Seat) -> None:
        if seat.code not in self.logged_in:
            await self._call(seat, "POST", "/api/v1/agent/session", json={"site": SITE})
            self.logged_in.add(seat.code)
        await self._call(seat, "PUT", "/api/v1/agent/session/state", json={"state": "ready"})

    async def sign_out(self, seat: Seat) -> None:
        state = {"state": "not_ready", "reason": LEAVE_REASON}
        await self._call(seat, "PUT", "/api/v1/agent/session/state", json=state)
        while True:
            session = await self._call(seat, "GET", "/api/v1/agent/session")
            if session.json().get("status") == "not_ready":
                break
            await self._sleep(1.0)
        await self._call(seat, "DELETE", "/api/v1/agent/session")
        self.logged_in.discard(seat.code)
        self.leaving.pop(seat.code, None)

    async def close(self, seats: list[Seat]) -> None:
        """End of the run: every seat out, calls or not (the day is over and drained)."""
        for task in list(self.leaving.values()):
            task.cancel()
        await asyncio.gather(*self.leaving.values(), return_exceptions=True)
        self.leaving.clear()
        for seat in seats:
            if seat.code in self.logged_in:
                await self._call(seat, "DELETE", "/api/v1/agent/session")
                self.logged_in.discard(seat.code)
