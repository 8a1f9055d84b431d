"""Not-ready reasons (示忙原因) an agent or a supervisor may give, as data."""

from __future__ import annotations

NOT_READY_REASONS: dict[str, str] = {
    "break": "Short break",
    "lunch": "Lunch",
    "training": "Training",
    "meeting": "Meeting",
    "after_call_work": "After-call work beyond wrap-up",
    "coaching": "Coaching with a supervisor",
    "technical": "Technical problem",
    "forced": "Set by a supervisor",
    # Set by the service (hotline.summaries.guard): applies when the call and its wrap-up end
    # while the agent's summary of the call is not filed yet.
    "summary_pending": "Call summary not filed yet",
}
"""Reasons a person may choose. The engine adds its own: "login", "rona", "unreachable"."""

TRANSFER_RINGING = "transfer_ringing"
"""The service's own: an idle agent whose phone rings for a blind transfer takes no offers."""
