"""After-sales guarantees: requests and guarantee claims, the advance-compensation fund, insurance, programmes,
recalls and NPS (docs/aftersales.md)."""
