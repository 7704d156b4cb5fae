"""Test support shipped with bmplib: Hypothesis strategies for every model
type (:mod:`bmplib.testing.strategies`), shared by bmplib's own tests, its
fuzz harnesses and users' tests.  Importing the strategies needs the
``hypothesis`` package (the ``test`` extra); bmplib itself never imports
this package."""
