"""`skgw demo`: a whole conversation between real gateway processes and the local hub simulator."""
