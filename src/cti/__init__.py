"""cti package."""
