"""Greetings, with phrases kept as package data (greeter/phrases.json)."""
from .core import greet
from .data import load_phrases

__all__ = ["greet", "load_phrases"]
