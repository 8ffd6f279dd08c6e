"""Signing up to volunteer: what, where and when someone offers to help (/volunteer)."""
