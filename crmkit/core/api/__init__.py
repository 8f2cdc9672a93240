"""The REST API every entity gets, API tokens, and the OpenAPI document with its docs page."""
