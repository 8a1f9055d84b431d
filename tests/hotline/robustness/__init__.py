"""Helpers for the API robustness tests (property-based fuzzing of the OpenAPI operations)."""
