"""The browser softphone's server side: per-site settings and the agent's own configuration."""
