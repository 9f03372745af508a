"""Trust: labels earned by evidence, regional alliance programmes and their badges."""
