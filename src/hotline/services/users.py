"""Users: create, update, upsert (the importer), authenticate."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hotline.auth.passwords import burn_verify_time, hash_password, verify_password
from hotline.db.models import Department, User, UserRole
from hotline.errors import ConflictError, NotFoundError
from hotline.roles import Role
from hotline.schemas.users import UserCreate, UserRead, UserUpdate
from hotline.services import refs

_USER_LOAD = (selectinload(User.roles), selectinload(User.department))


async def list_users(session: AsyncSession) -> Sequence[User]:
    stmt = select(User).options(*_USER_LOAD).order_by(User.username)
    return (await session.scalars(stmt)).all()


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.scalar(select(User).where(User.id == user_id).options(*_USER_LOAD))
    if user is None:
        raise NotFoundError(f"user {user_id} does not exist")
    return user


async def find_user(session: AsyncSession, username: str) -> User | None:
    stmt = select(User).where(User.username == username).options(*_USER_LOAD)
    return await session.scalar(stmt)


def user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        roles=sorted(Role(r) for r in user.role_names),
        department=user.department.code if user.department else None,
        is_active=user.is_active,
        created_at=user.created_at,
        updated_at=user.updated_at,
    )


async def _assign(session: AsyncSession, user: User, data: UserCreate | UserUpdate) -> None:
    fields = data.model_fields_set
    if data.full_name is not None:
        user.full_name = data.full_name
    if data.is_active is not None:
        user.is_active = data.is_active
    if data.password is not None:
        plain = data.password.get_secret_value()
        # Re-hashing an unchanged password would make a repeated import look like a change.
        if not user.password_hash or not verify_password(plain, user.password_hash):
            user.password_hash = hash_password(plain)
    if data.roles is not None:
        wanted = sorted({str(r) for r in data.roles})
        current = {r.role: r for r in user.roles}
        user.roles = [current.get(name) or UserRole(role=name) for name in wanted]
    if "department" in fields or isinstance(data, UserCreate):
        department: Department | None = None
        if data.department:
            department = await refs.department_by_code(session, data.department, ("department",))
        user.department_id = department.id if department else None
        user.department = department


async def create_user(session: AsyncSession, data: UserCreate) -> User:
    if await session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise ConflictError(f"user '{data.username}' already exists")
    user = User(username=data.username, password_hash="", roles=[], department=None)
    await _assign(session, user, data)
    session.add(user)
    await session.flush()
    return await get_user(session, user.id)


async def update_user(session: AsyncSession, user_id: int, data: UserUpdate) -> User:
    user = await get_user(session, user_id)
    await _assign(session, user, data)
    await session.flush()
    session.expire(user)
    return await get_user(session, user_id)


async def upsert_user(session: AsyncSession, data: UserCreate) -> User:
    user_id = await session.scalar(select(User.id).where(User.username == data.username))
    if user_id is None:
        return await create_user(session, data)
    return await update_user(session, user_id, UserUpdate(**_update_fields(data)))


def _update_fields(data: UserCreate) -> dict[str, object]:
    values = data.model_dump(exclude={"username", "password"})
    values["password"] = data.password
    return values


async def delete_user(session: AsyncSession, user_id: int) -> None:
    await session.delete(await get_user(session, user_id))
    await session.flush()


async def authenticate(session: AsyncSession, username: str, password: str) -> User | None:
    user = await find_user(session, username)
    if user is None:
        burn_verify_time(password)
        return None
    if not verify_password(password, user.password_hash) or not user.is_active:
        return None
    return user
