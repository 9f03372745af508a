"""Community feed (好物圈): helpful votes, content quality, reward points, expert tiers, share cards."""
