"""`hotline demo`: the whole centre on one machine, with simulated taxpayers and agents.

The service runs on SQLite against the built-in ARI emulator; simulated agents log in through
the service's own agent-session API and answer on emulated softphones; simulated taxpayers
arrive as a Poisson stream, choose a language and a business line by DTMF and hang up when
their patience runs out.
"""

from hotline.demo.options import DemoOptions

__all__ = ["DemoOptions"]
