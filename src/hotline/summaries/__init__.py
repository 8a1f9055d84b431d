"""Call summaries (电话小结) and their topic taxonomy: schemas and the database-backed services."""
