"""`python -m cti.emulator`: a standalone fake Asterisk 22 on loopback."""

from cti.emulator.cli import main

raise SystemExit(main())
