"""Reach a configured site's ARI from the command line (the site's row in the database)."""

from __future__ import annotations

from sqlalchemy import select

from cti.ari.client import AriClient
from cti.ari.models import Sound
from cti.errors import AriError
from hotline.db.models import Site
from hotline.db.session import create_engine, create_sessionmaker
from hotline.web.i18n import Lang, translate_with


class SiteLookupError(RuntimeError):
    """The site is unknown or its Asterisk did not answer; the message names which, in English
    (logs). ``key`` (``unknown`` or ``unreachable``, catalogue id ``sounds.site.<key>``) and
    ``params`` say the same as data, for the command line to word in its reader's language."""

    def __init__(self, key: str, english: str, **params: str) -> None:
        self.key = key
        self.params = params
        super().__init__(english)

    def message(self, lang: Lang) -> str:
        return translate_with(lang, f"sounds.site.{self.key}", **self.params)


async def site_sounds(database_url: str, code: str) -> list[Sound]:
    """``GET /sounds`` on the site ``code``, with the ARI credentials the service uses."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            site = await session.scalar(select(Site).where(Site.code == code))
    finally:
        await engine.dispose()
    if site is None:
        raise SiteLookupError(
            "unknown", f"no site {code!r} in the database (see `hotline import`)", site=repr(code)
        )
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
        # The client's own account of what failed (refused, timed out, 401) stays as it says.
        raise SiteLookupError(
            "unreachable",
            f"site {code!r} ({site.ari_url}): {exc}",
            site=repr(code),
            url=site.ari_url,
            detail=str(exc),
        ) from None
