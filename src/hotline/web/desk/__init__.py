"""The agent desktop (坐席工作台): one screen for the ``agent`` role."""
