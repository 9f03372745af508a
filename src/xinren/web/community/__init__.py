"""Community pages (好物圈): the feed, expert tiers, share cards."""
