"""Organisers' tools: neighbourhoods, joining, vetting, roles, broadcasts, stats, exports."""
