"""The BGP layer: BGP PDUs carried inside BMP messages (RFC 4271 and updates).

Importing this package registers the body decoder of every BGP message type
with :func:`bmplib.bgp.message.register_decoder`.
"""

import bmplib.bgp.keepalive
import bmplib.bgp.notification
import bmplib.bgp.open
import bmplib.bgp.route_refresh
import bmplib.bgp.update  # noqa: F401
