"""Brushing-ring (刷单) detection (ADR 0050): the pure detector (`graph`), the CSV reader (`csvio`) and command
(`cli`), the platform's tables as its input (`platform`), the operators' acts (`services`)."""
