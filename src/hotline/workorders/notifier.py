"""``InboxNotifier``: work-order notifications as rows of the in-app inbox.

It writes through the store's open transaction, so a notification exists exactly when the change
that caused it was committed. Email or SMS adapters would implement the same
``workorders.ports.Notifier`` and, since they leave the process, write to an outbox first.

With ``channels`` (the configured ones, ``NoticeSettings.channels()``) each inbox row also
gets one outbox row per channel in the same transaction; ``hotline.workorders.delivery`` sends
them by e-mail or webhook afterwards, so a slow mail relay never holds up the order's action.

The domain addresses people by what they are to the order (handler, liaison, department head
...); this adapter resolves that to users, falling back to someone who can act when the first
choice is missing (an order nobody has acknowledged has no handler: its liaisons hear instead).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from hotline.db.models import Department, Liaison, User, UserRole
from hotline.roles import Role
from hotline.workorders.mapping import int_id
from hotline.workorders.store import SqlWorkOrderStore
from workorders.escalation import Recipient
from workorders.ports import Addressee, Clock

_MAX_MESSAGE = 500


class InboxNotifier:
    """Resolves recipients with small per-instance caches (one instance per request or sweep)."""

    def __init__(
        self, store: SqlWorkOrderStore, clock: Clock, channels: Sequence[str] = ()
    ) -> None:
        self._store = store
        self._clock = clock
        self._channels = tuple(channels)
        self._by_role: dict[Role, list[int]] = {}
        self._liaisons: dict[int, list[int]] = {}
        self._heads: dict[int, int | None] = {}

    async def notify(self, recipient: Addressee, kind: str, order_id: str, message: str) -> None:
        users = await self.resolve(recipient)
        self._store.add_notifications(
            [
                {
                    "recipient_user_id": user_id,
                    "kind": kind[:64],
                    "order_id": order_id,
                    "message": message[:_MAX_MESSAGE],
                    "created_at": self._clock.now(),
                    "read_at": None,
                }
                for user_id in users
            ],
            self._channels,
        )

    async def resolve(self, recipient: Addressee) -> list[int]:
        department = int_id(recipient.department_id)
        kind = recipient.kind
        if kind in (Recipient.HANDLER, Recipient.DISPATCHER) and recipient.user_id is not None:
            return [int(recipient.user_id)]
        if kind is Recipient.HANDLER:
            return await self._liaisons_or_supervisors(department)
        if kind is Recipient.LIAISON:
            return await self._liaisons_or_supervisors(department)
        if kind is Recipient.DEPARTMENT_HEAD:
            head = await self._head(department)
            return [head] if head is not None else await self._liaisons_or_supervisors(department)
        if kind is Recipient.DIRECTOR_REPORT:
            return await self._with_role(Role.DIRECTOR)
        # The dispatcher when unknown, and the centre's supervisors.
        return await self._with_role(Role.SUPERVISOR)

    async def _liaisons_or_supervisors(self, department: int | None) -> list[int]:
        if department is not None:
            liaisons = await self._department_liaisons(department)
            if liaisons:
                return liaisons
        return await self._with_role(Role.SUPERVISOR)

    async def _department_liaisons(self, department: int) -> list[int]:
        if department not in self._liaisons:
            session = self._store.connection
            listed = list(
                await session.scalars(
                    select(Liaison.user_id)
                    .where(Liaison.department_id == department)
                    .order_by(Liaison.user_id)
                )
            )
            if not listed:
                # Users holding the liaison role in that department count when the liaison
                # table has nobody for it yet.
                listed = list(
                    await session.scalars(
                        select(User.id)
                        .join(UserRole, UserRole.user_id == User.id)
                        .where(
                            User.department_id == department,
                            UserRole.role == Role.LIAISON.value,
                            User.is_active.is_(True),
                        )
                        .order_by(User.id)
                    )
                )
            self._liaisons[department] = listed
        return self._liaisons[department]

    async def _head(self, department: int | None) -> int | None:
        if department is None:
            return None
        if department not in self._heads:
            self._heads[department] = await self._store.connection.scalar(
                select(Department.head_user_id).where(Department.id == department)
            )
        return self._heads[department]

    async def _with_role(self, role: Role) -> list[int]:
        if role not in self._by_role:
            users: Sequence[int] = (
                await self._store.connection.scalars(
                    select(User.id)
                    .join(UserRole, UserRole.user_id == User.id)
                    .where(UserRole.role == role.value, User.is_active.is_(True))
                    .order_by(User.id)
                )
            ).all()
            self._by_role[role] = list(users)
        return self._by_role[role]
