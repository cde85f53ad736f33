"""Channel adapters: each translates a native update into an incoming message and an outgoing
message into a native API call. No business rules, no SQL, and no native type leaves its folder.
"""
