"""Guarantee programmes (信任购, 蟹无忧, …): configurable rule sets that merchants join when they qualify."""
