"""The project's own EPCIS 2.0 engine: identifiers, event validation, capture documents and export."""
