"""Wallboard and abandonment snapshots, and the read accessors the shell uses."""

from __future__ import annotations

import pytest

from routing import (
    AgentStateChanged,
    AgentStatus,
    ContactStatus,
    EligibleAgent,
    OfferAnswered,
    QueueSnapshot,
    Skill,
    UnknownAgentError,
    UnknownContactError,
    agent_status,
    agent_view,
    contact_position,
    contact_snapshot,
    queue_snapshots,
    waiting_contacts,
)

from .builders import LT_ZH, NT_ZH, Driver, agent, contact


def _centre() -> Driver:
    driver = Driver()
    driver.login(agent("p1"), now=0.0)
    driver.login(agent("s1", {NT_ZH: 2, LT_ZH: 1}), now=1.0)
    driver.login(agent("ov", {}, overflow=True), now=2.0)
    driver.login(agent("t1", {NT_ZH: 3}), now=3.0, ready=False)
    driver.arrive(contact("busy", 4.0))
    driver(OfferAnswered("busy", "p1"), 5.0)
    driver(AgentStateChanged("s1", AgentStatus.NOT_READY, "lunch"), 6.0)
    driver.arrive(contact("c1", 10.0))
    driver.arrive(contact("c2", 12.0, priority=1))
    driver.arrive(contact("l1", 13.0, LT_ZH))
    return driver


def test_queue_snapshots_per_skill() -> None:
    driver = _centre()
    assert queue_snapshots(driver.state, 20.0) == [
        QueueSnapshot(LT_ZH, 1, 7.0, {AgentStatus.NOT_READY: 1}),
        QueueSnapshot(
            NT_ZH,
            2,
            10.0,
            {AgentStatus.ON_CALL: 1, AgentStatus.NOT_READY: 2},
        ),
    ]


def test_empty_queue_and_agents_without_a_queue_show_up() -> None:
    driver = Driver()
    driver.login(agent("x", {Skill("finance", "en"): 1}, languages=("en",)))
    (snapshot,) = queue_snapshots(driver.state, 5.0)
    assert (snapshot.waiting, snapshot.longest_wait_s) == (0, 0.0)
    assert snapshot.agents_by_status == {AgentStatus.IDLE: 1}


def test_contact_snapshot_lists_every_agent_its_stage_admits() -> None:
    driver = _centre()
    early = contact_snapshot(driver.state, "c1", 15.0)
    assert (early.status, early.stage_index, early.wait_s, early.position) == (
        ContactStatus.WAITING,
        0,
        5.0,
        2,
    )
    assert early.eligible == (EligibleAgent("p1", 1, AgentStatus.ON_CALL, None, 5.0),)
    late = contact_snapshot(driver.state, "c1", 70.0)
    assert [(e.agent_id, e.level, e.status, e.reason) for e in late.eligible] == [
        ("p1", 1, AgentStatus.ON_CALL, None),
        ("s1", 2, AgentStatus.NOT_READY, "lunch"),
        ("t1", 3, AgentStatus.NOT_READY, "login"),
        ("ov", 99, AgentStatus.IDLE, None),  # read-only: timers run only in apply
    ]
    connected = contact_snapshot(driver.state, "busy", 20.0)
    assert (connected.status, connected.agent_id, connected.position) == (
        ContactStatus.CONNECTED,
        "p1",
        None,
    )


def test_accessors() -> None:
    driver = _centre()
    assert [c.id for c in waiting_contacts(driver.state, NT_ZH)] == ["c2", "c1"]
    assert [c.id for c in waiting_contacts(driver.state)] == ["l1", "c2", "c1"]
    assert waiting_contacts(driver.state, Skill("finance", "zh")) == []
    assert contact_position(driver.state, "c2") == 1
    assert agent_status(driver.state, "p1") is AgentStatus.ON_CALL
    assert agent_status(driver.state, "nobody") is AgentStatus.LOGGED_OUT
    view = agent_view(driver.state, "p1")
    assert (view.status, view.contact_id, view.since) == (AgentStatus.ON_CALL, "busy", 5.0)


def test_unknown_ids_raise_in_accessors() -> None:
    driver = _centre()
    with pytest.raises(UnknownContactError, match="unknown contact 'zz'") as caught:
        contact_snapshot(driver.state, "zz", 1.0)
    assert caught.value.contact_id == "zz"
    with pytest.raises(UnknownContactError):
        contact_position(driver.state, "zz")
    with pytest.raises(UnknownAgentError, match="unknown agent 'zz'") as agent_caught:
        agent_view(driver.state, "zz")
    assert agent_caught.value.agent_id == "zz"
