"""Community feed (好物圈) models."""
