"""Address families (NLRI codecs), found through :mod:`bmplib.nlri.registry`.

Importing this package registers every family module's codec.
"""

import bmplib.nlri.bgpls
import bmplib.nlri.evpn
import bmplib.nlri.flowspec
import bmplib.nlri.inet
import bmplib.nlri.labeled
import bmplib.nlri.mdt
import bmplib.nlri.mup
import bmplib.nlri.mvpn
import bmplib.nlri.rtc
import bmplib.nlri.srpolicy
import bmplib.nlri.vpls
import bmplib.nlri.vpn  # noqa: F401
