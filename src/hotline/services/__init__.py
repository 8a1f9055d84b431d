"""Use cases over the database: endpoints and the importer call these."""
