"""The signed webhook channel: listing portals and other systems post leads, signed with HMAC."""
