"""Barzan: neighborhood-centric community management."""
