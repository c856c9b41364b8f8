"""API views, by area: the directory (read and provider writes), records beneath listings, accounts."""
