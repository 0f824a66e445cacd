"""Bürgerbefragung: Angsträume and per-area shares, demo data, coincidence with incidents."""
