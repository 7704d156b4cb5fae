"""bmplib_json: the optional compiled JSON renderer of bmplib.

:mod:`bmplib.json` uses it when it was built (and ``BMPLIB_PURE`` is not
set): ``render(obj)`` gives the UTF-8 text of ``dumps_pure(to_json(obj))``,
octet for octet, without building the intermediate dicts (tests/test_cli.py
checks it on every capture).
"""
