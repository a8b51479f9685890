"""A module of the namespace package semns."""
NS = "nsmod"
