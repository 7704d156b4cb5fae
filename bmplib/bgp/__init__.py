"""The BGP layer: BGP PDUs carried inside BMP messages (RFC 4271 and updates)."""
