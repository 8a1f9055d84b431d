"""Reach a configured site's ARI from the command line (the site's row in the database)."""

from __future__ import annotations

from sqlalchemy import select

from cti.ari.client import AriClient
from cti.ari.models import Sound
from cti.errors import AriError
from hotline.db.models import Site
from hotline.db.session import create_engine, create_sessionmaker


class SiteLookupError(RuntimeError):
    """The site is unknown or its Asterisk did not answer; the message names which."""


async def site_sounds(database_url: str, code: str) -> list[Sound]:
    """``GET /sounds`` on the site ``code``, with the ARI credentials the service uses."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            site = await session.scalar(select(Site).where(Site.code == code))
    finally:
        await engine.dispose()
    if site is None:
        raise SiteLookupError(f"no site {code!r} in the database (see `hotline import`)")
    return await sounds_on(site)


async def sounds_on(site: Site) -> list[Sound]:
    """``GET /sounds`` on ``site``'s Asterisk; an unreachable server is a SiteLookupError."""
    code = site.code
    try:
        async with AriClient(
            site.ari_url, site.ari_username, site.ari_password, site.app_name
        ) as client:
            return await client.list_sounds()
    except AriError as exc:
        raise SiteLookupError(f"site {code!r} ({site.ari_url}): {exc}") from None
