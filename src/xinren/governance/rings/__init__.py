"""Brushing-ring (刷单) detection: the pure detector (`graph`), and the CLI's reader (`cli`) (ADR 0050)."""
