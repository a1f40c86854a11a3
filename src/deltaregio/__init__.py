"""Deltaregio: run and monitor the Flemish–Dutch collaboration on science, technology and innovation."""

__version__ = "0.1.0"
