"""The call controller: the life of one call from IVR to survey, driven by ARI events.

Layout: ``ports`` (the seam with the service), ``model`` (call state), ``signals`` (the
controller's events), ``actions`` (what the machine asks for), ``states`` (the pure transition
table), ``causes`` (why an agent leg failed), ``events`` (ARI event -> call event), ``executor``
(actions -> ARI and director), ``timers``, ``controller`` (one site), ``sites`` (every site).
"""

from cti.calls.controller import (
    CallControlError,
    ControllerOptions,
    SiteCallController,
    WrongSiteError,
)
from cti.calls.model import CallMedia, CallState, Phase
from cti.calls.sites import CtiSites, SiteConfig, SiteRunner, UnknownSiteError
from cti.calls.states import transition

__all__ = [
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
