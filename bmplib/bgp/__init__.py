"""The BGP layer: BGP PDUs carried inside BMP messages (RFC 4271 and updates).

Importing this package registers the body decoder of every BGP message type
with :func:`bmplib.bgp.message.register_decoder`.
"""

from typing import Union

from bmplib.bgp.keepalive import Keepalive
from bmplib.bgp.message import UnknownBGPMessage
from bmplib.bgp.notification import Notification
from bmplib.bgp.open import Open
from bmplib.bgp.route_refresh import RouteRefresh
from bmplib.bgp.update import Update

__all__ = ["BGPMessage", "Keepalive", "Notification", "Open", "RouteRefresh", "UnknownBGPMessage", "Update"]

#: Any decoded BGP message (what :func:`bmplib.bgp.message.decode_bgp_message` gives).
BGPMessage = Union[Open, Update, Notification, Keepalive, RouteRefresh, UnknownBGPMessage]
