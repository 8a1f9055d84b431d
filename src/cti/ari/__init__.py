"""Typed ARI client and event stream."""
