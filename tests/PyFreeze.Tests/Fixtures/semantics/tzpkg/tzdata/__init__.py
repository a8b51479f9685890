# A stand-in for the tzdata wheel (Debian does not package it): the same layout (every folder a package, the
# TZif files as package data, a "zones" list), with two zones copied from /usr/share/zoneinfo.
IANA_VERSION = "pyfreeze-test"
