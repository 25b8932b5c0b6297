"""What the team records with and about the person (what matters to them, who matters)."""
