"""Reward service: competitions, prize pools, entry fees and exactly-once match reward distribution."""
