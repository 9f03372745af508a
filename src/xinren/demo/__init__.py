"""A believable Yunnan demo set: organizations, people, products, batches, items and their histories."""
