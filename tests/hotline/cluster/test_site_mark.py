"""An instance on another database is refused the ARI sites that a leader on the first database
marked, naming both identities; a stale mark (its cluster gone) no longer blocks anyone."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import make_url

from cti.ari.client import AriClient
from cti.emulator import run_emulator
from hotline.cluster.leadership import leader_only
from hotline.cluster.site_mark import MARK_VARIABLE, ForeignDatabase
from hotline.config import ClusterSettings, Settings
from hotline.db.models import Site
from hotline.db.session import create_engine, create_sessionmaker
from hotline.main import create_app
from tests.fixtures.database import _admin_execute, _migrate


@pytest.fixture
def other_pg_url(pg_url: str) -> Iterator[str]:
    """A second migrated database on the same server: the misconfigured instance's."""
    admin = make_url(pg_url).set(database="postgres").render_as_string(hide_password=False)
    name = f"hotline_other_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin_execute(admin, f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(_migrate(url))
        yield url
    finally:
        asyncio.run(_admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _add_site(database_url: str, ari_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            session.add(
                Site(
                    code="hz",
                    name="杭州",
                    ari_url=ari_url,
                    ari_username="hotline",
                    ari_password="secret",
                    app_name="hotline",
                )
            )
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def _instance(database_url: str, name: str) -> AsyncIterator[None]:
    settings = Settings(database_url=database_url, cluster=ClusterSettings(instance_id=name))
    app = create_app(settings, components=[leader_only([])])
    async with app.router.lifespan_context(app):
        yield


@pytest.mark.asyncio
async def test_an_instance_on_another_database_is_refused_the_marked_site(
    pg_url: str, other_pg_url: str
) -> None:
    async with run_emulator(port=0) as emulator:
        ari = AriClient(emulator.ari_url, "hotline", "secret", "hotline")
        for url in (pg_url, other_pg_url):
            await _add_site(url, emulator.ari_url)
        async with _instance(pg_url, "node-a"):
            mark = (await ari.get_global_variable(MARK_VARIABLE)).value
            ours = mark.split()[0]
            assert float(mark.split()[1]) > time.time()
            with pytest.raises(ForeignDatabase) as refused:
                async with _instance(other_pg_url, "node-b"):
                    pytest.fail("an instance on another database commanded the site")
            message = str(refused.value)
            assert "site hz" in message
            assert ours in message
            assert refused.value.theirs == ours
            assert refused.value.ours != ours
            assert refused.value.ours in message
            # The refused instance wrote nothing on the site.
            assert (await ari.get_global_variable(MARK_VARIABLE)).value.split()[0] == ours
        # Database A's cluster is gone and its mark has expired: B may take the site over.
        await ari.set_global_variable(MARK_VARIABLE, f"{ours} {time.time() - 1:.0f}")
        async with _instance(other_pg_url, "node-b"):
            now_marked = (await ari.get_global_variable(MARK_VARIABLE)).value.split()[0]
        assert now_marked == refused.value.ours
        await ari.aclose()
