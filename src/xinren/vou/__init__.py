"""Voice of the user (用户之声): sentiment and complaint types of what customers write (issue 16). Plain Python:
no Django, so the CLI and the benchmarks run without a database."""
