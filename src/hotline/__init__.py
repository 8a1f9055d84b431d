"""hotline: the composition root (settings, database, API, CLI)."""
