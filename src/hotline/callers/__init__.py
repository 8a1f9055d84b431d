"""Callers as people who call again: the heavy-caller alert to supervisors."""
