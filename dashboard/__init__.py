"""Analytics dashboard for pooled savings-group (VSLA) data in the SAVIX model."""

__version__ = "0.1.0"
