"""Scenarios for the simulator made from what the service knows: the routing of the configuration
version in force (``routing: live``) and the traffic of the recorded calls (``--from-history``),
and the simulation runs ops start from the browser (``jobs``)."""
