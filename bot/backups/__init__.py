"""Encrypted backups of the database and restoring them (the backup and restore commands)."""
