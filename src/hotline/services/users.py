"""Users: create, update, upsert (the importer), authenticate."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from hotline.auth.passwords import (
    burn_verify_time_async,
    hash_password_async,
    verify_password_async,
)
from hotline.auth.policy import PasswordRejected, check_password
from hotline.db.models import Department, User, UserRole
from hotline.db.models.user import new_token_stamp
from hotline.db.session import transaction
from hotline.errors import ConflictError, InvalidInputError, NotFoundError
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
    revoke = False
    if data.is_active is not None and data.is_active != user.is_active:
        revoke = True
    if data.is_active is not None:
        user.is_active = data.is_active
    if data.password is not None:
        plain = data.password.get_secret_value()
        # Re-hashing an unchanged password would make a repeated import look like a change.
        if not user.password_hash or not await verify_password_async(plain, user.password_hash):
            _check_policy(plain, user.username)
            user.password_hash = await hash_password_async(plain)
            revoke = True
    if data.roles is not None:
        wanted = sorted({str(r) for r in data.roles})
        current = {r.role: r for r in user.roles}
        revoke = revoke or set(current) != set(wanted)
        user.roles = [current.get(name) or UserRole(role=name) for name in wanted]
    if revoke and user.id is not None:
        revoke_tokens(user)
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


def _check_policy(password: str, username: str) -> None:
    try:
        check_password(password, username=username)
    except PasswordRejected as exc:
        raise InvalidInputError(
            [{"loc": ["body", "password"], "msg": f"password {exc}", "type": "password_policy"}]
        ) from None


def revoke_tokens(user: User) -> None:
    """Every token issued to ``user`` so far stops working (a new stamp)."""
    user.token_stamp = new_token_stamp()


async def change_own_password(session: AsyncSession, user_id: int, current: str, new: str) -> User:
    """The signed-in user sets a new password: the current one must be right, the new one must
    pass the policy and differ; every earlier token is revoked."""
    user = await get_user(session, user_id)
    if not await verify_password_async(current, user.password_hash):
        raise InvalidInputError(
            [{"loc": ["body", "current_password"], "msg": "is not right", "type": "wrong_password"}]
        )
    if new == current:
        raise InvalidInputError(
            [
                {
                    "loc": ["body", "new_password"],
                    "msg": "must differ from the current password",
                    "type": "password_policy",
                }
            ]
        )
    _check_policy(new, user.username)
    user.password_hash = await hash_password_async(new)
    revoke_tokens(user)
    await session.flush()
    return user


async def delete_user(session: AsyncSession, user_id: int) -> None:
    await session.delete(await get_user(session, user_id))
    await session.flush()


async def sign_in(
    sessionmaker: async_sessionmaker[AsyncSession], username: str, password: str
) -> User | None:
    """The user these credentials belong to, or None.

    The user is read in a short transaction of its own and the argon2 check (up to a second when
    logins queue) runs after it has ended: holding a pooled connection across the check let 15
    concurrent logins take the whole pool, and every other request waited for a connection.
    """
    async with transaction(sessionmaker) as session:
        user = await find_user(session, username)
    if user is None:
        await burn_verify_time_async(password)
        return None
    if not await verify_password_async(password, user.password_hash) or not user.is_active:
        return None
    return user


async def authenticate(session: AsyncSession, username: str, password: str) -> User | None:
    """As :func:`sign_in`, inside a caller's session; that session's connection stays checked
    out during the password check, so request handlers use :func:`sign_in`."""
    user = await find_user(session, username)
    if user is None:
        await burn_verify_time_async(password)
        return None
    if not await verify_password_async(password, user.password_hash) or not user.is_active:
        return None
    return user
