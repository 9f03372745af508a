"""Preparing uploaded media: type sniffing, metadata stripping, thumbnails and posters (no Django models)."""
