"""In-process publish/subscribe feeding the server-sent-event streams (screen pop, wallboard).

Publishing never blocks the publisher (the call path): each subscriber has a bounded queue, and a
subscriber that falls behind loses its oldest messages and is told so with a ``{"type":
"overflow", "dropped": n}`` message, rather than slowing calls down. Topics are plain strings:
``agent:<agent id>`` for one agent's desktop, ``wallboard`` for supervisors.

A topic may be *retained* (:meth:`EventBus.retain`): its messages are then numbered (``seq``)
and the last few kept, so that a subscriber coming back after a dropped connection can ask for
what it missed (``subscribe(topic, resume=(epoch, seq))``). The numbers belong to one process (its
``epoch``): a subscriber from another epoch, or one that fell out of the kept window, is sent a
``{"type": "reset"}`` instead and reloads its picture of the world.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import defaultdict, deque
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
        self._history: dict[str, deque[Message]] = {}
        self._seq: dict[str, int] = {}
        # Names this process's numbering: a sequence number from before a restart means nothing.
        self.epoch = secrets.token_hex(4)

    def retain(self, topic: str, size: int) -> None:
        """Number the topic's messages from now on and keep the last ``size`` for resuming."""
        if topic not in self._history:
            self._history[topic] = deque(maxlen=size)
            self._seq.setdefault(topic, 0)

    def last_seq(self, topic: str) -> int:
        return self._seq.get(topic, 0)

    def publish(self, topic: str, message: Message) -> None:
        history = self._history.get(topic)
        if history is not None:
            self._seq[topic] += 1
            message = {**message, "seq": self._seq[topic]}
            history.append(message)
        for subscription in tuple(self._subscribers.get(topic, ())):
            subscription.offer(message)

    def missed(self, topic: str, epoch: str, after: int) -> list[Message]:
        """What a subscriber that last saw ``(epoch, after)`` missed, or one ``reset`` message
        when that cannot be told (another process, or older than the kept window)."""
        history = self._history.get(topic)
        seq = self._seq.get(topic, 0)
        if history is None or epoch != self.epoch or after > seq:
            return [{"type": "reset", "reason": "unknown_position"}]
        if after < seq and (not history or history[0]["seq"] > after + 1):
            return [{"type": "reset", "reason": "too_far_behind"}]
        return [m for m in history if m["seq"] > after]

    def subscriber_count(self, topic: str) -> int:
        """Subscribers in this process (``watched`` also knows of other replicas')."""
        return len(self._subscribers.get(topic, ()))

    def watched(self, topic: str) -> bool:
        """Whether anybody listens to the topic: a publisher may skip building a message that
        nobody would read (the wallboard's queue figures)."""
        return self.subscriber_count(topic) > 0

    @asynccontextmanager
    async def subscribe(
        self, topic: str, *, resume: tuple[str, int] | None = None
    ) -> AsyncIterator[Subscription]:
        """``resume=(epoch, seq)``: first the retained messages after ``seq`` (or a reset), then
        the live ones; nothing can slip between the two, as no await separates them."""
        subscription = Subscription(self._queue_size)
        if resume is not None:
            for message in self.missed(topic, *resume):
                subscription.offer(message)
        self._subscribers[topic].add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers[topic].discard(subscription)
            if not self._subscribers[topic]:
                del self._subscribers[topic]
