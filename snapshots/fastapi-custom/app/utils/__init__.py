"""Small helpers with no dependency on the web or database layers."""
