"""Product trust scores: a pure, versioned formula over inputs gathered from the contexts below (ADR 0047)."""
