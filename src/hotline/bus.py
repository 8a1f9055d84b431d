"""In-process publish/subscribe feeding the server-sent-event streams (screen pop, wallboard).

Publishing never blocks the publisher (the call path): each subscriber has a bounded queue, and a
subscriber that falls behind loses its oldest messages and is told so with a ``{"type":
"overflow", "dropped": n}`` message, rather than slowing calls down. Topics are plain strings:
``agent:<agent id>`` for one agent's desktop, ``wallboard`` for supervisors.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

Message = dict[str, Any]


class Subscription:
    def __init__(self, maxsize: int) -> None:
        self._queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=maxsize)
        self._held: Message | None = None  # taken from the queue while reporting an overflow
        self.dropped = 0

    def offer(self, message: Message) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(message)

    async def get(self) -> Message:
        if self._held is not None:
            message, self._held = self._held, None
            return message
        message = await self._queue.get()
        if self.dropped:
            dropped, self.dropped = self.dropped, 0
            self._held = message
            return {"type": "overflow", "dropped": dropped}
        return message

    def __aiter__(self) -> AsyncIterator[Message]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Message]:
        while True:
            yield await self.get()


class EventBus:
    def __init__(self, queue_size: int = 1000) -> None:
        self._queue_size = queue_size
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)

    def publish(self, topic: str, message: Message) -> None:
        for subscription in tuple(self._subscribers.get(topic, ())):
            subscription.offer(message)

    def subscriber_count(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Subscription]:
        subscription = Subscription(self._queue_size)
        self._subscribers[topic].add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers[topic].discard(subscription)
            if not self._subscribers[topic]:
                del self._subscribers[topic]
