"""Xinren (信任): trust commerce with verifiable origins, events and claims."""
