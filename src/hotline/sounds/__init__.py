"""The shipped prompt set on disk and on a site: build it, install it, check a site has it.

The table itself (text per sound per language) is :mod:`cti.sounds`, shared with the emulator.
"""
