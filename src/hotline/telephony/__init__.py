"""The service side of live calls: the ACD loop around `routing`, the `CallDirector` the call
controller talks to, agent sessions, callbacks and the persistence of all of it.

Build a :class:`TelephonyService` with a `CallControl` (the controller's runner in production, a
fake in tests), or register :func:`telephony_component` in ``create_app(components=[...])``.
"""

from hotline.telephony.component import TELEPHONY_KEY, get_telephony, telephony_component
from hotline.telephony.menus import IVR_MENUS, build_plan
from hotline.telephony.reasons import NOT_READY_REASONS
from hotline.telephony.service import TelephonyService

__all__ = [
    "IVR_MENUS",
    "NOT_READY_REASONS",
    "TELEPHONY_KEY",
    "TelephonyService",
    "build_plan",
    "get_telephony",
    "telephony_component",
]
