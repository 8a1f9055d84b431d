"""Several instances on one database: the call engine's leader lease, standby mode and the
forwarding of engine-bound requests to the leader (docs/cluster.md)."""
