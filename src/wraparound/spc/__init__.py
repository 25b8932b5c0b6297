"""Statistical process control (Making Data Count XmR charts) for the team's own learning.

``engine`` and ``chart`` are plain Python (no Django); the app exists only for the ``spc``
management command and the ``spc/_chart.html`` template partial.
"""
