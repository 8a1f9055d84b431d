"""`python -m cti.emulator`: a standalone fake Asterisk 22 on loopback."""

from cti.emulator.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
