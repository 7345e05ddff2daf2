"""Lambda entry points. Each one only wires AWS events to the plain modules that hold the logic."""
