"""Offline capture decoding: pcap / pcapng files → TCP reassembly → BMP.

* :mod:`bmplib.capture.reader`  packet records of pcap and pcapng files
* :mod:`bmplib.capture.link`    link layers, IPv4 / IPv6, TCP headers
* :mod:`bmplib.capture.tcp`     reassembly of one direction of a connection
* :mod:`bmplib.capture.decoder` BMP flows, one BMPDecoder per connection,
  provenance of every message (sans-IO)

The public entry points are in :mod:`bmplib.pcap`.
"""
