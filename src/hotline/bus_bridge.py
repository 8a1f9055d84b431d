"""The event bus across replicas, on PostgreSQL: what one instance publishes, every instance's
subscribers receive, in the same order, with positions that mean the same on every replica.

Why PostgreSQL ``LISTEN/NOTIFY`` and not NATS or Redis: the database is already the one piece
every replica needs and the one the operators back up and watch; a broker would be a second
stateful service to deploy, secure and fail over, for a flow of a few hundred messages a second.
A resume point must outlive a replica and a leader change, which a broker gives only with its
own persistence (JetStream, Redis streams) to configure; a table gives it with a bigserial.

How it goes:

* ``publish`` (the call path) only appends to a bounded in-memory outbox and returns; it never
  waits on the database. When the outbox is full (the database is down or slow) the oldest
  message is dropped and counted, and its topic gets a ``reset`` message once the database is
  back, so a subscriber knows it missed something rather than silently missing it.
* One writer task per instance drains the outbox in batches into ``bus_event``: under a
  transaction-scoped advisory lock, so that ids commit in the order they were drawn (a reader
  that saw id *n* has seen every id below it), then ``NOTIFY hotline_bus '<last id>'``. The
  notification carries only a number: messages are read from the table, so the 8000-byte
  payload limit never bounds a message.
* One listener per instance holds a dedicated connection with ``LISTEN``, reads the rows after
  the last id it delivered and hands them to the local subscribers (also on the publishing
  instance: every replica delivers the same sequence). It also reads every second without a
  notification, so a lost notification delays but never loses an event. When its connection
  dies (database restart, ``pg_terminate_backend``) it reconnects with backoff and carries on
  from its last id: the table still holds what was published meanwhile. If rows it had not
  read were pruned meanwhile, every local subscriber gets a ``reset``.
* A stream resumes with ``<epoch>.<id>``: the epoch names the table (its oid; it changes only
  if the table is re-created), the id is the row's. Any replica replays the topic's rows after
  that id from the table (an indexed read), or sends a ``reset`` when the position is unknown
  or already pruned. After a leader change nothing moves: the ids are the database's.
* Rows are pruned by age (``retention_s``); a wallboard gone longer than that reloads.
* ``watched(topic)``: each instance announces on ``hotline_bus_interest`` the topics it has
  subscribers for (at once for a new one, then every few seconds), so the leader keeps
  publishing the wallboard's figures while a wallboard is open on another replica.

With SQLite (embedded, one process) none of this runs: the bus stays in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import asyncpg  # type: ignore[import-untyped]
import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import make_url

from hotline.bus import EventBus, Message, Subscription
from hotline.deps import AppState

log = structlog.get_logger(__name__)

CHANNEL = "hotline_bus"
INTEREST_CHANNEL = "hotline_bus_interest"
# Any constant: the key of the advisory lock that orders the writers' commits.
WRITE_LOCK_KEY = 0x6275735F6576  # "bus_ev"
NOTIFY_LIMIT = 7_900  # bytes of a NOTIFY payload (the server's limit is 8000)

_LISTEN_POLL_S = 1.0
_PRUNE_EVERY_S = 30.0
_INTEREST_EVERY_S = 5.0
_PAGE = 1_000
_DROPPED: Message = {"type": "reset", "reason": "events_dropped"}


class BridgeMetrics:
    """Registered once per registry (a test may run one app's lifespan twice)."""

    _by_registry: ClassVar[weakref.WeakKeyDictionary[CollectorRegistry, BridgeMetrics]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, registry: CollectorRegistry) -> None:
        self.written = Counter(
            "hotline_bus_bridge_events_written_total",
            "Bus messages this instance wrote to the cluster's event log",
            registry=registry,
        )
        self.received = Counter(
            "hotline_bus_bridge_events_received_total",
            "Bus messages this instance read from the event log and gave its subscribers",
            registry=registry,
        )
        self.dropped = Counter(
            "hotline_bus_bridge_events_dropped_total",
            "Bus messages dropped because the outbox was full (database down or slow)",
            registry=registry,
        )
        self.reconnects = Counter(
            "hotline_bus_bridge_listener_reconnects_total",
            "Times the listener connection was re-established after it was lost",
            registry=registry,
        )
        self.lag = Histogram(
            "hotline_bus_bridge_lag_seconds",
            "From a message's row written to its delivery here (database clock)",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=registry,
        )
        self.outbox = Gauge(
            "hotline_bus_bridge_outbox", "Messages waiting to be written", registry=registry
        )
        self.connected = Gauge(
            "hotline_bus_bridge_listener_connected",
            "1 while the listener holds its connection",
            registry=registry,
        )

    @classmethod
    def of(cls, registry: CollectorRegistry) -> BridgeMetrics:
        metrics = cls._by_registry.get(registry)
        if metrics is None:
            metrics = cls._by_registry[registry] = cls(registry)
        return metrics


def asyncpg_dsn(database_url: str) -> str:
    """``postgresql+asyncpg://...`` (SQLAlchemy's spelling) as asyncpg takes it."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _encode(message: Message) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)


def _chunks(topics: list[str]) -> list[str]:
    """Topics joined by newlines into payloads that each fit in one NOTIFY (with the
    sender's name in front)."""
    payloads: list[str] = []
    current: list[str] = []
    size = 0
    for topic in topics:
        length = len(topic.encode()) + 1
        if current and size + length > NOTIFY_LIMIT:
            payloads.append("\n".join(current))
            current, size = [], 0
        current.append(topic)
        size += length
    if current:
        payloads.append("\n".join(current))
    return payloads


class BridgedBus(EventBus):
    """An :class:`EventBus` whose messages travel through PostgreSQL (module docstring)."""

    def __init__(
        self,
        dsn: str,
        registry: CollectorRegistry,
        *,
        queue_size: int = 1000,
        outbox_size: int = 10_000,
        batch_size: int = 500,
        retention_s: float = 900.0,
        interest_ttl_s: float = 15.0,
    ) -> None:
        super().__init__(queue_size)
        self._dsn = dsn
        self._name = secrets.token_hex(6)  # tells this replica's announcements from others'
        self.metrics = BridgeMetrics.of(registry)
        self._outbox: deque[tuple[str, Message]] = deque()
        self._outbox_size = outbox_size
        self._batch_size = batch_size
        self._retention_s = retention_s
        self._interest_ttl_s = interest_ttl_s
        self._dropped_topics: set[str] = set()
        self._pending = asyncio.Event()
        self._writing = False  # a batch is on its way to the table (stop waits for it)
        self._position = 0  # the last id handed to the local subscribers
        self._floors: dict[Subscription, int] = {}  # a resumed subscriber skips ids up to this
        self._holding: dict[Subscription, list[tuple[int, Message]]] = {}
        self._remote_interest: dict[str, float] = {}  # topic -> loop time it expires
        self._pool: asyncpg.Pool | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._listener: asyncpg.Connection | None = None
        self.connected = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=3)
        async with self._pool.acquire() as connection:
            oid = await connection.fetchval("SELECT to_regclass('bus_event')::oid")
            if oid is None:
                await self._pool.close()
                raise RuntimeError(
                    "the bus_event table is missing: run 'hotline db upgrade' (or turn"
                    " auto_migrate on) before starting the service"
                )
            newest = await connection.fetchval("SELECT coalesce(max(id), 0) FROM bus_event")
            self._position = int(newest)
        self.epoch = f"pg{oid}"
        self.metrics.outbox.set_function(lambda: len(self._outbox))
        self._tasks = [
            asyncio.create_task(self._listen(), name="bus-bridge-listen"),
            asyncio.create_task(self._write(), name="bus-bridge-write"),
            asyncio.create_task(self._housekeep(), name="bus-bridge-housekeep"),
        ]
        try:
            await asyncio.wait_for(self.connected.wait(), 10.0)
        except TimeoutError:
            await self.stop(flush_s=0)
            raise RuntimeError(
                "the event bus could not listen on PostgreSQL within 10 s: check that the"
                " database accepts one more connection per instance (max_connections)"
            ) from None

    async def stop(self, *, flush_s: float = 2.0) -> None:
        """Write what is still in the outbox (for a moment), then close."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained(), flush_s)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._pool is not None:
            await self._pool.close()

    async def _drained(self) -> None:
        while self._outbox or self._writing:
            await asyncio.sleep(0.01)

    # ------------------------------------------------------------------ publishing
    def publish(self, topic: str, message: Message) -> None:
        """Queue the message for the event log; never waits (module docstring)."""
        if len(self._outbox) >= self._outbox_size:
            lost, _ = self._outbox.popleft()
            self._lost(lost)
        self._outbox.append((topic, message))
        self._pending.set()

    def _lost(self, topic: str) -> None:
        self.metrics.dropped.inc()
        self._dropped_topics.add(topic)

    async def _write(self) -> None:
        backoff = 0.1
        while True:
            await self._pending.wait()
            self._pending.clear()
            while self._outbox or self._dropped_topics:
                # Topics that lost messages get a reset first, in the same ordered stream.
                resets = [(t, _DROPPED) for t in sorted(self._dropped_topics)]
                self._dropped_topics.clear()
                size = min(len(self._outbox), self._batch_size)
                batch = [self._outbox.popleft() for _ in range(size)]
                self._writing = True
                try:
                    await self._insert(resets + batch)
                except Exception as error:  # the database is away: keep the batch, retry
                    log.warning("bus_bridge_write_failed", error=f"{type(error).__name__}: {error}")
                    self._outbox.extendleft(reversed(batch))
                    self._dropped_topics.update(t for t, _ in resets)
                    while len(self._outbox) > self._outbox_size:
                        self._lost(self._outbox.popleft()[0])
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 2.0)
                    continue
                finally:
                    self._writing = False
                backoff = 0.1

    async def _insert(self, batch: list[tuple[str, Message]]) -> None:
        assert self._pool is not None
        topics = [topic for topic, _ in batch]
        texts = [_encode(message) for _, message in batch]
        async with self._pool.acquire() as connection, connection.transaction():
            # Held to the commit: ids become visible in the order they were drawn.
            await connection.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK_KEY)
            # One statement writes the rows and queues the notification (sent at commit).
            await connection.execute(
                "WITH written AS ("
                " INSERT INTO bus_event (topic, message)"
                " SELECT t, m FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(t, m, n)"
                " ORDER BY n RETURNING id)"
                " SELECT pg_notify($3, max(id)::text) FROM written",
                topics,
                texts,
                CHANNEL,
            )
        self.metrics.written.inc(len(batch))

    # ------------------------------------------------------------------ listening
    async def _listen(self) -> None:
        backoff = 0.1
        first = True
        while True:
            connection: asyncpg.Connection | None = None
            woke = asyncio.Event()

            def wake(*_: object, woke: asyncio.Event = woke) -> None:
                woke.set()

            try:
                connection = await asyncpg.connect(self._dsn)
                connection.add_termination_listener(wake)
                await connection.add_listener(CHANNEL, wake)
                await connection.add_listener(INTEREST_CHANNEL, self._heard_interest)
                if not first:
                    self.metrics.reconnects.inc()
                    log.info("bus_bridge_reconnected", position=self._position)
                    await self._check_gap(connection)
                first = False
                self._listener = connection
                self.connected.set()
                self.metrics.connected.set(1)
                backoff = 0.1
                while True:
                    woke.clear()
                    await self._catch_up(connection)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(woke.wait(), _LISTEN_POLL_S)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # lost the database: reconnect and carry on from the id
                log.warning("bus_bridge_listener_lost", error=f"{type(error).__name__}: {error}")
            finally:
                self.connected.clear()
                self.metrics.connected.set(0)
                self._listener = None
                if connection is not None:
                    connection.terminate()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    async def _check_gap(self, connection: asyncpg.Connection) -> None:
        """After a reconnect: rows this replica had not read may have been pruned meanwhile.
        Read under the writers' lock, so that no id is drawn but not yet committed: an id
        drawn after our position whose row is not there is a lost row (or, rarely, a write
        that failed: a needless reset, which costs the client a reload)."""
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK_KEY)
            row = await connection.fetchrow(
                "SELECT (SELECT min(id) FROM bus_event WHERE id > $1) AS next_id,"
                " pg_sequence_last_value(pg_get_serial_sequence('bus_event', 'id')::regclass)"
                " AS drawn",
                self._position,
            )
        next_id, drawn = row["next_id"], row["drawn"] or 0
        lost = next_id > self._position + 1 if next_id is not None else drawn > self._position
        if lost:
            log.warning("bus_bridge_gap", position=self._position, next_id=next_id)
            for subscriptions in self._subscribers.values():
                for subscription in subscriptions:  # even one resumed past our position
                    subscription.offer({"type": "reset", "reason": "events_lost"})
            self._position = next_id - 1 if next_id is not None else drawn

    async def _catch_up(self, connection: asyncpg.Connection) -> None:
        while True:
            rows = await connection.fetch(
                "SELECT id, topic, message,"
                " extract(epoch FROM clock_timestamp() - created_at)::float8 AS lag"
                " FROM bus_event WHERE id > $1 ORDER BY id LIMIT $2",
                self._position,
                _PAGE,
            )
            for row in rows:
                self._position = row["id"]
                self.metrics.received.inc()
                self.metrics.lag.observe(max(0.0, row["lag"]))
                if self._subscribers.get(row["topic"]):
                    self._deliver(row["id"], row["topic"], json.loads(row["message"]))
            if len(rows) < _PAGE:
                return

    def _deliver(self, event_id: int, topic: str, message: Message) -> None:
        if topic in self._history:  # retained here: the id is the message's resume position
            message = {**message, "seq": event_id}
        for subscription in tuple(self._subscribers.get(topic, ())):
            held = self._holding.get(subscription)
            if held is not None:
                held.append((event_id, message))
            elif event_id > self._floors.get(subscription, 0):
                subscription.offer(message)

    def last_seq(self, topic: str) -> int:
        """The position of this replica's stream (any topic): a snapshot read now is current
        up to here, and a stream opened from here misses nothing."""
        return self._position

    # ------------------------------------------------------------------ subscribing
    @asynccontextmanager
    async def subscribe(
        self, topic: str, *, resume: tuple[str, int] | None = None
    ) -> AsyncIterator[Subscription]:
        """``resume=(epoch, id)``: the topic's rows after ``id`` from the event log (or one
        ``reset``), then the live ones, with no gap and no repeat: live messages that arrive
        while the log is read are held, then passed on after the replay minus what it had."""
        subscription = Subscription(self._queue_size)
        new_topic = not self._subscribers.get(topic)
        self._subscribers[topic].add(subscription)
        if new_topic:
            self._announce([topic])
        try:
            if resume is not None:
                held: list[tuple[int, Message]] = []
                self._holding[subscription] = held
                try:
                    replay = await self._replay(topic, *resume)
                finally:
                    del self._holding[subscription]
                # After a reset the client starts over from the live edge: hold nothing back.
                last = 0 if replay and replay[0][0] == 0 else resume[1]
                for event_id, message in replay:
                    subscription.offer(message)
                    last = max(last, event_id)
                for event_id, message in held:
                    if event_id > last:
                        subscription.offer(message)
                        last = event_id
                self._floors[subscription] = last
            yield subscription
        finally:
            self._floors.pop(subscription, None)
            self._subscribers[topic].discard(subscription)
            if not self._subscribers[topic]:
                del self._subscribers[topic]

    async def _replay(self, topic: str, epoch: str, after: int) -> list[tuple[int, Message]]:
        def reset(reason: str) -> list[tuple[int, Message]]:
            return [(0, {"type": "reset", "reason": reason})]

        if epoch != self.epoch or self._pool is None:
            return reset("unknown_position")
        retained = topic in self._history
        try:
            async with self._pool.acquire() as connection:
                bounds = await connection.fetchrow(
                    "SELECT min(id) AS oldest, max(id) AS newest FROM bus_event"
                )
                rows = await connection.fetch(
                    "SELECT id, message FROM bus_event WHERE topic = $1 AND id > $2"
                    " ORDER BY id LIMIT $3",
                    topic,
                    after,
                    self._queue_size + 1,
                )
        except Exception as error:  # the database is away: the client reloads when it can
            log.warning("bus_bridge_replay_failed", error=f"{type(error).__name__}: {error}")
            return reset("unavailable")
        newest = bounds["newest"] if bounds["newest"] is not None else self._position
        oldest = bounds["oldest"] if bounds["oldest"] is not None else newest + 1
        if after > max(newest, self._position):
            return reset("unknown_position")
        if after < oldest - 1 or len(rows) > self._queue_size:
            return reset("too_far_behind")
        replay: list[tuple[int, Message]] = []
        for row in rows:
            message = json.loads(row["message"])
            replay.append((row["id"], {**message, "seq": row["id"]} if retained else message))
        return replay

    def missed(self, topic: str, epoch: str, after: int) -> list[Message]:
        raise NotImplementedError("the bridged bus replays from the event log: use subscribe")

    # ------------------------------------------------------------------ interest
    def watched(self, topic: str) -> bool:
        if self.subscriber_count(topic):
            return True
        expires = self._remote_interest.get(topic)
        return expires is not None and expires > asyncio.get_running_loop().time()

    def _heard_interest(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        sender, _, topics = payload.partition("\n")
        if sender == self._name:
            return  # our own announcement: our subscribers are counted as they are
        expires = asyncio.get_running_loop().time() + self._interest_ttl_s
        for topic in topics.split("\n"):
            if topic:
                self._remote_interest[topic] = expires

    def _announce(self, topics: list[str]) -> None:
        if self._pool is not None and topics:
            task = asyncio.create_task(self._send_interest(topics), name="bus-bridge-interest")
            self._tasks.append(task)
            task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        with contextlib.suppress(ValueError):
            self._tasks.remove(task)

    async def _send_interest(self, topics: list[str]) -> None:
        assert self._pool is not None
        try:
            async with self._pool.acquire() as connection:
                for payload in _chunks(topics):
                    await connection.execute(
                        "SELECT pg_notify($1, $2)", INTEREST_CHANNEL, f"{self._name}\n{payload}"
                    )
        except Exception as error:  # announced again in a few seconds
            log.info("bus_bridge_interest_failed", error=f"{type(error).__name__}: {error}")

    async def _housekeep(self) -> None:
        """Re-announce this replica's topics, forget stale remote ones, prune old rows."""
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        next_prune = loop.time()
        while True:
            await self._send_interest(sorted(self._subscribers))
            now = loop.time()
            for topic, expires in list(self._remote_interest.items()):
                if expires <= now:
                    del self._remote_interest[topic]
            if now >= next_prune:
                next_prune = now + _PRUNE_EVERY_S
                try:
                    async with self._pool.acquire() as connection:
                        await connection.execute(
                            "DELETE FROM bus_event"
                            " WHERE created_at < now() - make_interval(secs => $1)",
                            self._retention_s,
                        )
                except Exception as error:  # pruned next time
                    log.info("bus_bridge_prune_failed", error=f"{type(error).__name__}: {error}")
            await asyncio.sleep(_INTEREST_EVERY_S)


async def start_bridge(
    database_url: str, registry: CollectorRegistry, **options: Any
) -> BridgedBus:
    bus = BridgedBus(asyncpg_dsn(database_url), registry, **options)
    await bus.start()
    return bus


async def bridge_events(state: AppState) -> Callable[[], Awaitable[None]]:
    """On PostgreSQL, replace the app's in-process bus by the bridged one (before the
    components take it); on SQLite keep the in-process bus. Returns the stop."""
    if state.engine.dialect.name != "postgresql":
        return _nothing
    bus = await start_bridge(str(state.settings.database_url), state.metrics.registry)
    state.bus = bus
    return bus.stop


async def _nothing() -> None:
    return None
