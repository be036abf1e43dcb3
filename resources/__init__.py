"""Data files shipped with KernelScope (sample images, icon, .desktop file).

Read them with ``importlib.resources.files("resources")``; this package holds no code.
"""
