"""Fuzz targets (``fuzz.targets``), the atheris runner (``python -m fuzz.run``) and the
findings every fix keeps as a regression test (``fuzz/findings/<target>/``)."""
