"""Live mode of the traffic simulator: a scenario driven through the whole running stack.

``hotline simulate SCENARIO --live`` builds a centre from the scenario, starts the ARI emulator
and the service on loopback, logs simulated agents in through the agent-session API, places
simulated taxpayers on the emulated trunk and, at the end, computes the simulator's KPIs from the
service's own call records. It is an end-to-end capacity test: the same figures as the offline
simulation, measured on real HTTP, WebSocket, database and routing code.

Entry points: :func:`hotline.livesim.runner.run_live` (with
:class:`hotline.livesim.options.LiveOptions`) and the ``simulate`` command in
:mod:`hotline.livesim.cli`. This module imports nothing, so that ``hotline --help`` stays quick.
"""
