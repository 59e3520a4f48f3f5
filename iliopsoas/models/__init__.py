"""Numbers only: the course's muscle and test models and the data they read.

No module here imports matplotlib or ipywidgets (tests/test_layout.py checks it): every
model can be used from a script or a test without a display."""
