"""The demo data set: the MOJ 2013 bulletin's world, the published figures, and a synthetic history."""
