"""SQL for the community directory: assets, search and the gap report."""
