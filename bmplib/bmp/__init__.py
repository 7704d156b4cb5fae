"""The BMP layer (RFC 7854, RFC 8671, RFC 9069)."""
