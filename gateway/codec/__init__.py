"""codec layer of the gateway core: model <-> XML per message type and version, including the
nul-aanbod encodings (:mod:`gateway.codec.nul_aanbod`), and the model <-> JSON form."""

from gateway.codec.errors import DecodeError, EncodeError
from gateway.codec.profile import PROFILES, VersionProfile
from gateway.codec.xml_codec import decode, decode_tree, encode, registered_types

__all__ = [
    "PROFILES",
    "DecodeError",
    "EncodeError",
    "VersionProfile",
    "decode",
    "decode_tree",
    "encode",
    "registered_types",
]
