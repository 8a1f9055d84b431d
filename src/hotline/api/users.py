"""Users and their roles (admins write; supervisors read)."""

from __future__ import annotations

from fastapi import APIRouter, status

from hotline.api.access import Admin, UserReader
from hotline.api.params import RowId
from hotline.deps import SessionDep
from hotline.errors import ConflictError
from hotline.schemas.users import UserCreate, UserRead, UserUpdate
from hotline.services import users as user_service

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=list[UserRead])
async def list_users(session: SessionDep, _: UserReader) -> list[UserRead]:
    return [user_service.user_read(u) for u in await user_service.list_users(session)]


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
async def create_user(data: UserCreate, session: SessionDep, _: Admin) -> UserRead:
    return user_service.user_read(await user_service.create_user(session, data))


@router.get("/{user_id}", response_model=UserRead)
async def get_user(user_id: RowId, session: SessionDep, _: UserReader) -> UserRead:
    return user_service.user_read(await user_service.get_user(session, user_id))


@router.patch("/{user_id}", response_model=UserRead)
async def update_user(
    user_id: RowId, data: UserUpdate, session: SessionDep, admin: Admin
) -> UserRead:
    if user_id == admin.user_id and data.is_active is False:
        raise ConflictError("an administrator cannot disable their own account")
    return user_service.user_read(await user_service.update_user(session, user_id, data))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(user_id: RowId, session: SessionDep, admin: Admin) -> None:
    if user_id == admin.user_id:
        raise ConflictError("an administrator cannot delete their own account")
    await user_service.delete_user(session, user_id)
