"""Skills: business line x language."""

from __future__ import annotations

from fastapi import APIRouter, status

from hotline.api.access import Admin, DirectoryReader
from hotline.api.params import RowId
from hotline.deps import SessionDep
from hotline.schemas.directory import SkillCreate, SkillRead, SkillUpdate
from hotline.services import directory

router = APIRouter(prefix="/skills", tags=["directory"])


@router.get("", response_model=list[SkillRead])
async def list_skills(session: SessionDep, _: DirectoryReader) -> object:
    return await directory.list_skills(session)


@router.post("", response_model=SkillRead, status_code=status.HTTP_201_CREATED)
async def create_skill(data: SkillCreate, session: SessionDep, _: Admin) -> object:
    return await directory.create_skill(session, data)


@router.get("/{skill_id}", response_model=SkillRead)
async def get_skill(skill_id: RowId, session: SessionDep, _: DirectoryReader) -> object:
    return await directory.get_skill(session, skill_id)


@router.patch("/{skill_id}", response_model=SkillRead)
async def update_skill(skill_id: RowId, data: SkillUpdate, session: SessionDep, _: Admin) -> object:
    return await directory.update_skill(session, skill_id, data)


@router.delete("/{skill_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_skill(skill_id: RowId, session: SessionDep, _: Admin) -> None:
    await directory.delete_skill(session, skill_id)
