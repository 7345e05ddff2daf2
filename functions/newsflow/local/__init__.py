"""The embedded local stack: moto in server mode, our own event-source emulation, and an HTTP front.

Dev and ops tooling only: excluded from the Lambda asset.
"""
