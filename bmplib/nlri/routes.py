"""The type of a decoded route, for type checkers: one class per family
(a new family adds its route class here)."""

from __future__ import annotations

from typing import Union

from bmplib.nlri.bgpls import LSNLRI, UnknownLSNLRI
from bmplib.nlri.evpn import EVPNRoute
from bmplib.nlri.flowspec import FlowSpecRoute, UnknownFlowSpecRoute
from bmplib.nlri.inet import InetPrefix
from bmplib.nlri.labeled import LabeledPrefix
from bmplib.nlri.mdt import MDTRoute
from bmplib.nlri.mup import MUPRoute
from bmplib.nlri.mvpn import MVPNRoute
from bmplib.nlri.registry import UnknownNLRI
from bmplib.nlri.rtc import RouteTargetMembership
from bmplib.nlri.srpolicy import SRPolicyNLRI
from bmplib.nlri.vpls import UnknownVPLSRoute, VPLSAutoDiscovery, VPLSRoute
from bmplib.nlri.vpn import VPNPrefix

__all__ = ["Route"]

#: A route of any family bmplib decodes (``UnknownNLRI``: a family without a codec).
Route = Union[
    InetPrefix,
    LabeledPrefix,
    VPNPrefix,
    EVPNRoute,
    RouteTargetMembership,
    FlowSpecRoute,
    UnknownFlowSpecRoute,
    VPLSRoute,
    VPLSAutoDiscovery,
    UnknownVPLSRoute,
    MDTRoute,
    MVPNRoute,
    LSNLRI,
    UnknownLSNLRI,
    SRPolicyNLRI,
    MUPRoute,
    UnknownNLRI,
]
