"""Persistence: one MetaData, ORM models, sessions, repositories."""
