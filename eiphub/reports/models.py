"""Annual reports and their review workflow (built out by the criteria issue)."""
