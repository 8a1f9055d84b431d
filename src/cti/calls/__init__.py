"""The call controller: the life of one call from IVR to survey, driven by ARI events."""
