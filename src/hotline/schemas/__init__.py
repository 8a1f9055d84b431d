"""Pydantic request/response models (XCreate / XUpdate / XRead)."""
