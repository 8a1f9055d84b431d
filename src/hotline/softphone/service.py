"""The agent's softphone configuration and the admin's account writes (use cases over the DB)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hotline.db.models import Agent, AgentEndpoint, SoftphoneAccount
from hotline.errors import ConflictError, InvalidInputError, NotFoundError
from hotline.softphone.emulated import EmulatedPhone
from hotline.softphone.settings import SoftphoneMode, SoftphoneSettings


@dataclass(frozen=True)
class SoftphoneView:
    """What the desk needs to start the softphone; `password` only for the agent themself."""

    mode: SoftphoneMode
    site: str
    endpoint: str
    display_name: str
    reason: str | None = None
    ws_url: str | None = None
    sip_uri: str | None = None
    auth_user: str | None = None
    password: str | None = None
    ice_servers: list[dict[str, Any]] = field(default_factory=list)


def _query_error(name: str, message: str) -> InvalidInputError:
    return InvalidInputError([{"loc": ["query", name], "msg": message, "type": "value_error"}])


async def _endpoints(session: AsyncSession, agent_id: int) -> list[AgentEndpoint]:
    rows = await session.scalars(
        select(AgentEndpoint)
        .where(AgentEndpoint.agent_id == agent_id)
        .options(selectinload(AgentEndpoint.site))
    )
    return sorted(rows, key=lambda row: row.site.code)


def _pick(endpoints: list[AgentEndpoint], site: str | None) -> AgentEndpoint:
    if site is not None:
        for endpoint in endpoints:
            if endpoint.site.code == site:
                return endpoint
        raise NotFoundError(f"this agent has no endpoint on site '{site}'")
    if not endpoints:
        raise NotFoundError("this agent has no endpoint on any site")
    if len(endpoints) > 1:
        codes = ", ".join(e.site.code for e in endpoints)
        raise _query_error("site", f"this agent has endpoints on several sites ({codes}): name one")
    return endpoints[0]


async def agent_softphone(
    session: AsyncSession, settings: SoftphoneSettings, *, user_id: int, site: str | None
) -> SoftphoneView:
    """The softphone of the agent linked to `user_id` on `site` (or on their only site)."""
    agent = await session.scalar(select(Agent).where(Agent.user_id == user_id))
    if agent is None:
        raise NotFoundError("no agent is linked to this user")
    endpoint = _pick(await _endpoints(session, agent.id), site)
    off = SoftphoneView(
        mode="off",
        site=endpoint.site.code,
        endpoint=endpoint.dial_string,
        display_name=agent.name,
        reason="softphone_disabled",
    )
    if settings.mode == "off":
        return off
    if settings.mode == "emulator":
        return replace(off, mode="emulator", reason=None)
    account = await session.scalar(
        select(SoftphoneAccount).where(SoftphoneAccount.agent_endpoint_id == endpoint.id)
    )
    if account is None:
        return replace(off, reason="desk_phone")
    site_settings = settings.sites.get(endpoint.site.code)
    if site_settings is None:
        return replace(off, reason="site_not_configured")
    return replace(
        off,
        mode="sip",
        reason=None,
        ws_url=site_settings.ws_url,
        sip_uri=f"sip:{account.sip_user}@{site_settings.sip_domain}",
        auth_user=account.sip_user,
        password=account.sip_password,
        ice_servers=[_ice(server) for server in settings.ice_servers],
    )


async def emulated_phone(
    session: AsyncSession, settings: SoftphoneSettings, *, user_id: int, site: str | None
) -> EmulatedPhone:
    """The emulator phone of the agent linked to `user_id` (emulator mode only)."""
    if settings.mode != "emulator":
        raise ConflictError(f"the softphone runs in {settings.mode} mode, not on the emulator")
    agent = await session.scalar(select(Agent).where(Agent.user_id == user_id))
    if agent is None:
        raise NotFoundError("no agent is linked to this user")
    endpoint = _pick(await _endpoints(session, agent.id), site)
    return EmulatedPhone(
        ari_url=endpoint.site.ari_url,
        username=endpoint.site.ari_username,
        password=endpoint.site.ari_password,
        endpoint=endpoint.dial_string,
    )


def _ice(server: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"urls": list(server.urls)}
    if server.username is not None:
        entry["username"] = server.username
    if server.credential is not None:
        entry["credential"] = server.credential.get_secret_value()
    return entry


async def _endpoint_of(session: AsyncSession, agent_id: int, site: str) -> AgentEndpoint:
    if await session.get(Agent, agent_id) is None:
        raise NotFoundError(f"agent {agent_id} does not exist")
    return _pick(await _endpoints(session, agent_id), site)


async def set_account(
    session: AsyncSession, *, agent_id: int, site: str, sip_user: str, password: str
) -> SoftphoneAccount:
    """Create or replace the softphone account of the agent's endpoint on `site` (idempotent)."""
    endpoint = await _endpoint_of(session, agent_id, site)
    account = await session.scalar(
        select(SoftphoneAccount).where(SoftphoneAccount.agent_endpoint_id == endpoint.id)
    )
    if account is None:
        account = SoftphoneAccount(agent_endpoint_id=endpoint.id)
        session.add(account)
    account.sip_user = sip_user
    account.sip_password = password
    await session.flush()
    return account


async def remove_account(session: AsyncSession, *, agent_id: int, site: str) -> None:
    """The agent goes back to a desk phone on `site`; removing a missing account is a no-op."""
    endpoint = await _endpoint_of(session, agent_id, site)
    account = await session.scalar(
        select(SoftphoneAccount).where(SoftphoneAccount.agent_endpoint_id == endpoint.id)
    )
    if account is not None:
        await session.delete(account)
