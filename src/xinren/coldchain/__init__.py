"""Cold chain: sensor readings per shipment leg, excursions, and promises kept or broken."""
