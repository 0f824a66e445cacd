"""Sicherheitsanalyse report per Gemeinde, Verwaltungsverband or Kreis: HTML and PDF."""
