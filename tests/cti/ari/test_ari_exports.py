"""The public surface of cti.ari is exactly what __all__ lists, and every name resolves."""

from __future__ import annotations

import cti.ari
import cti.errors


def test_every_exported_name_exists() -> None:
    for module in (cti.ari, cti.errors):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_the_exported_list_is_stable() -> None:
    assert set(cti.ari.__all__) == {
        "EVENT_TYPES",
        "MODEL_TYPES",
        "AriClient",
        "AriDate",
        "AriModel",
        "Backoff",
        "Event",
        "EventEndpoint",
        "EventHandler",
        "EventRouter",
        "EventStream",
        "Message",
        "OrderedDispatcher",
        "ResyncHook",
        "SiteHealth",
        "SiteKey",
        "UnknownEvent",
        "error_message",
        "event_source",
        "format_ari_date",
        "new_id",
        "parse_event",
    }


def test_http_errors_share_one_base() -> None:
    for name in ("AriBadRequestError", "AriAuthError", "AriNotFoundError", "AriConflictError"):
        assert issubclass(getattr(cti.errors, name), cti.errors.AriHttpError)
    assert issubclass(cti.errors.AriServerError, cti.errors.AriHttpError)
    assert issubclass(cti.errors.AriUnavailableError, cti.errors.AriError)
    assert not issubclass(cti.errors.AriUnavailableError, cti.errors.AriHttpError)
