"""The centre's configuration as data: one document (``document``), its versions in the
database (``store``), publishing with checks (``publish``), and the live service applying the
version in force (``live``). See docs/config.md."""
