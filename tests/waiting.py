"""How long a test waits for something that must happen before it says it did not.

One figure for every such wait, and a generous one: the suite runs on a shared 2-core CI machine
that may be loaded several times over, where a step that takes milliseconds on a laptop can take
seconds. A wait this long costs nothing when the thing happens (the wait ends with it); it only
delays the report of a real failure. Waits that check that something does NOT happen are a
different matter and stay short: they can only pass wrongly, never fail wrongly.
"""

WAIT_S = 30.0
