"""Authentication (OAuth2 password flow, JWT) and per-endpoint role checks."""
