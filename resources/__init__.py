"""Data only: the application icon, the desktop entry, AppStream metadata and the sample contracts.

A package so that a wheel carries these files beside ``core`` and ``gui``; code finds them through
``gui.resources`` (also in a PyInstaller build), never by importing this.
"""
