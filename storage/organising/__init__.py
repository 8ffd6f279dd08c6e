"""SQL for organisers: neighbourhoods, roles, vetting, oversight, broadcasts, stats, exports."""
