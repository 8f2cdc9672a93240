"""`crmkit demo`: a realistic company to try crmkit with."""
