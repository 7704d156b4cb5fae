"""bmplib_fast: optional Cython speed-ups for bmplib's hot path.

bmplib imports it automatically when the extension was built; set
``BMPLIB_PURE=1`` to force the pure-Python decoders.  Every function here
returns objects equal to the pure implementation's, and raises the same
errors, for every input (see tests/fast).
"""
