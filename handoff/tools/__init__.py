"""Tools the agent is empowered to use on the customer's records (refund, credit, cancel, ...)."""
