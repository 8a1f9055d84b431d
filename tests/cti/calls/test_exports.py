"""The public names of cti.calls."""

from __future__ import annotations

import cti.calls


def test_public_names() -> None:
    assert sorted(cti.calls.__all__) == [
        "CallControlError",
        "CallMedia",
        "CallState",
        "ControllerOptions",
        "CtiSites",
        "Phase",
        "SiteCallController",
        "SiteConfig",
        "SiteRunner",
        "UnknownSiteError",
        "WrongSiteError",
        "transition",
    ]
    for name in cti.calls.__all__:
        assert getattr(cti.calls, name) is not None
