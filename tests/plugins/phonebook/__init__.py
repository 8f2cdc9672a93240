"""A small entity with a phone number, for the search tests."""
