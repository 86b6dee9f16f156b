"""The rewrite kinds of `flake8-ssot fix`, one small module each (:mod:`flake8_ssot.rewrite` drives them)."""
