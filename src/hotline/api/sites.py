"""Sites: one Asterisk (ARI) connection each.  The ARI password is write-only."""

from __future__ import annotations

from fastapi import APIRouter, status

from hotline.api.access import Admin, DirectoryReader
from hotline.api.params import RowId
from hotline.deps import SessionDep
from hotline.schemas.directory import SiteCreate, SiteRead, SiteUpdate
from hotline.services import directory

router = APIRouter(prefix="/sites", tags=["directory"])


@router.get("", response_model=list[SiteRead])
async def list_sites(session: SessionDep, _: DirectoryReader) -> object:
    return await directory.list_sites(session)


@router.post("", response_model=SiteRead, status_code=status.HTTP_201_CREATED)
async def create_site(data: SiteCreate, session: SessionDep, _: Admin) -> object:
    return await directory.create_site(session, data)


@router.get("/{site_id}", response_model=SiteRead)
async def get_site(site_id: RowId, session: SessionDep, _: DirectoryReader) -> object:
    return await directory.get_site(session, site_id)


@router.patch("/{site_id}", response_model=SiteRead)
async def update_site(site_id: RowId, data: SiteUpdate, session: SessionDep, _: Admin) -> object:
    return await directory.update_site(session, site_id, data)


@router.delete("/{site_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_site(site_id: RowId, session: SessionDep, _: Admin) -> None:
    await directory.delete_site(session, site_id)
