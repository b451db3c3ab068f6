"""IP address management: strict CIDR parsing, overlap detection, allocation and subnet plans.

The rules and their sources are in docs/ipam.md (with their sources).
"""
