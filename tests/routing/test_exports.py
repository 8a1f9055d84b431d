import routing

EXPECTED = {
    "HANDLE_TIME_SMOOTHING", "OVERFLOW_LEVEL", "AgentLoggedIn", "AgentLoggedOut", "AgentProfile",
    "AgentSelection", "AgentStateChanged", "AgentStatus", "AgentView", "Announce",
    "CallbackRequested", "CancelOffer", "Contact", "ContactAbandoned", "ContactArrived",
    "ContactEnded", "ContactKind", "ContactSnapshot", "ContactStatus", "ContactTransferred",
    "DateSetCalendar", "Decision", "Divert", "DivertReason", "DivertTarget", "EligibleAgent",
    "Event", "LinePolicy", "Offer", "OfferAnswered", "OfferCallback", "OfferFailed",
    "OfferFailure", "OpenInterval", "Policy", "PolicyChanged", "PolicyError", "PolicyPatch",
    "PolicyProblem",
    "QueueSnapshot",
    "RoutingError", "RoutingState", "ServiceHours", "SetAgentNotReady", "Skill", "Stage", "Tick",
    "UnknownAgentError", "UnknownContactError", "WakeAt", "WorkingDays", "WrapUpEnded",
    "agent_status", "agent_view", "apply", "contact_position", "contact_snapshot",
    "default_policy", "new_contact", "new_state", "queue_snapshots", "waiting_contacts",
}  # fmt: skip


def test_public_names_are_exactly_the_contract() -> None:
    assert set(routing.__all__) == EXPECTED
    assert len(routing.__all__) == len(EXPECTED)


def test_every_public_name_exists() -> None:
    for name in routing.__all__:
        assert getattr(routing, name) is not None


def test_importing_routing_loads_only_standard_modules() -> None:
    import subprocess
    import sys

    code = (
        "import sys; before = set(sys.modules); import routing; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    added = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    tops = {name.split(".")[0] for name in added}
    assert "routing" in tops
    assert tops - set(sys.stdlib_module_names) == {"routing"}
    assert not tops & {"asyncio", "random", "socket", "time", "threading"}
